# The agreement models come from performance (definitions, targets) and scorecards (terms,
# penalties), issue 9. Their tables were renamed by performance 0010 and scorecards 0002 and keep
# their rows; this records the models in agreements' state only.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('scorecards', '0002_agreement_tables_to_agreements'),
        ('performance', '0010_agreement_tables_to_agreements'),
        ('tenancy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Agreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('oos_lookback_days', models.PositiveIntegerField(default=60, help_text='A failed line due this many days before a stock-out can have caused it')),
                        ('currency', models.CharField(default='EUR', help_text='Currency of penalties', max_length=3)),
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='agreement', to='tenancy.client')),
                    ],
                ),
                migrations.CreateModel(
                    name='HistoricalAgreement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('oos_lookback_days', models.PositiveIntegerField(default=60, help_text='A failed line due this many days before a stock-out can have caused it')),
                        ('currency', models.CharField(default='EUR', help_text='Currency of penalties', max_length=3)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.client')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical agreement',
                        'verbose_name_plural': 'historical agreements',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalKpiTarget',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kpi', models.CharField(choices=[('otif_net', 'Net OTIF'), ('otif_gross', 'Gross OTIF'), ('on_time', 'On-time delivery'), ('ship_on_time', 'Ship on planned date'), ('oos_events', 'Stock-outs caused by the CMO'), ('oos_days', 'Stock-out days caused by the CMO'), ('oos_share', 'Share of stock-outs caused by the CMO'), ('schedule_adherence', 'Schedule adherence'), ('material_readiness', 'Material readiness'), ('qc_release_on_time', 'QC release on time'), ('incident_rate', 'Incident rate'), ('right_first_time', 'Right first time'), ('lot_acceptance', 'Lot acceptance rate'), ('yield', 'Yield'), ('capa_on_time', 'CAPA on time'), ('satisfaction', 'Customer satisfaction')], max_length=40)),
                        ('target', models.FloatField()),
                        ('direction', models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better')], default='higher', max_length=6)),
                        ('tolerance', models.FloatField(default=5.0, help_text="Amber band, in the KPI's unit (points for a percentage)")),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.client')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical kpi target',
                        'verbose_name_plural': 'historical kpi targets',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalOtifDefinitionVersion',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('version', models.PositiveIntegerField()),
                        ('parameters', models.JSONField()),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('created_by', models.CharField(max_length=150)),
                        ('note', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.client')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical otif definition version',
                        'verbose_name_plural': 'historical otif definition versions',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalPenaltyTerm',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('line_value_pct', '% of the line value per CMO-attributable failed line'), ('month_below_target', 'Fixed amount per month below the OTIF target')], max_length=20)),
                        ('rate', models.FloatField(help_text='Percent of the line value, or the amount per month')),
                        ('description', models.CharField(blank=True, max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.client')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical penalty term',
                        'verbose_name_plural': 'historical penalty terms',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PenaltyTerm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('line_value_pct', '% of the line value per CMO-attributable failed line'), ('month_below_target', 'Fixed amount per month below the OTIF target')], max_length=20)),
                        ('rate', models.FloatField(help_text='Percent of the line value, or the amount per month')),
                        ('description', models.CharField(blank=True, max_length=300)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='penalty_terms', to='tenancy.client')),
                    ],
                ),
                migrations.CreateModel(
                    name='KpiTarget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kpi', models.CharField(choices=[('otif_net', 'Net OTIF'), ('otif_gross', 'Gross OTIF'), ('on_time', 'On-time delivery'), ('ship_on_time', 'Ship on planned date'), ('oos_events', 'Stock-outs caused by the CMO'), ('oos_days', 'Stock-out days caused by the CMO'), ('oos_share', 'Share of stock-outs caused by the CMO'), ('schedule_adherence', 'Schedule adherence'), ('material_readiness', 'Material readiness'), ('qc_release_on_time', 'QC release on time'), ('incident_rate', 'Incident rate'), ('right_first_time', 'Right first time'), ('lot_acceptance', 'Lot acceptance rate'), ('yield', 'Yield'), ('capa_on_time', 'CAPA on time'), ('satisfaction', 'Customer satisfaction')], max_length=40)),
                        ('target', models.FloatField()),
                        ('direction', models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better')], default='higher', max_length=6)),
                        ('tolerance', models.FloatField(default=5.0, help_text="Amber band, in the KPI's unit (points for a percentage)")),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kpi_targets', to='tenancy.client')),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('client', 'kpi'), name='one_target_per_client_kpi')],
                    },
                ),
                migrations.CreateModel(
                    name='OtifDefinitionVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField()),
                        ('parameters', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.CharField(max_length=150)),
                        ('note', models.TextField(blank=True)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='otif_definitions', to='tenancy.client')),
                    ],
                    options={
                        'ordering': ['client', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('client', 'version'), name='definition_version_per_client')],
                    },
                ),
            ],
        ),
    ]
