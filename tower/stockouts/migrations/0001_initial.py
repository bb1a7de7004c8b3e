# Stock-outs and their links come from scorecards (issue 9). Their tables were renamed by
# scorecards 0004 and keep their rows; this records the models in stockouts' state only.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('scorecards', '0004_stock_out_tables_to_stockouts'),
        ('masterdata', '0002_functional_areas_and_codes'),
        ('orders', '0004_importlog_records_counts'),
        ('tenancy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalStockOutEvent',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('location', models.CharField(help_text='Market, country or warehouse', max_length=200)),
                        ('start_date', models.DateField()),
                        ('end_date', models.DateField(blank=True, help_text='Empty while the stock-out lasts', null=True)),
                        ('source', models.CharField(choices=[('reported', 'Reported by the client'), ('imported', 'Imported')], max_length=10)),
                        ('note', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.client')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='masterdata.product')),
                        ('reported_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical stock out event',
                        'verbose_name_plural': 'historical stock out events',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='StockOutEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('location', models.CharField(help_text='Market, country or warehouse', max_length=200)),
                        ('start_date', models.DateField()),
                        ('end_date', models.DateField(blank=True, help_text='Empty while the stock-out lasts', null=True)),
                        ('source', models.CharField(choices=[('reported', 'Reported by the client'), ('imported', 'Imported')], max_length=10)),
                        ('note', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('cmo_caused', models.BooleanField(default=False)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stock_outs', to='tenancy.client')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stock_outs', to='masterdata.product')),
                        ('reported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                ),
                migrations.CreateModel(
                    name='StockOutLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.client')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='stockouts.stockoutevent')),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.orderline')),
                    ],
                ),
                migrations.AddField(
                    model_name='stockoutevent',
                    name='lines',
                    field=models.ManyToManyField(related_name='stock_outs', through='stockouts.StockOutLink', to='orders.orderline'),
                ),
                migrations.AddConstraint(
                    model_name='stockoutlink',
                    constraint=models.UniqueConstraint(fields=('event', 'line'), name='one_link_per_event_line'),
                ),
                migrations.AddIndex(
                    model_name='stockoutevent',
                    index=models.Index(fields=['client', 'start_date'], name='stock_out_client_start'),
                ),
                migrations.AddConstraint(
                    model_name='stockoutevent',
                    constraint=models.UniqueConstraint(fields=('client', 'product', 'location', 'start_date'), name='stock_out_per_product_location_start'),
                ),
            ],
        ),
    ]
