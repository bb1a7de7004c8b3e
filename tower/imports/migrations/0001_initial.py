# ImportLog moves from orders to imports (issue 9) and gains its client: the table was renamed by
# orders 0005 (rows kept); the existing rows get the client their codes name when it is one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def client_of_each_log(apps, schema_editor):
    db = schema_editor.connection.alias
    ImportLog = apps.get_model("imports", "ImportLog").objects.using(db)
    Client = apps.get_model("tenancy", "Client").objects.using(db)
    ids = dict(Client.values_list("code", "pk"))
    for log in ImportLog.exclude(client_codes="").exclude(client_codes__contains=","):
        if log.client_codes in ids:
            ImportLog.filter(pk=log.pk).update(client_id=ids[log.client_codes])


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0005_importlog_table_to_imports'),
        ('tenancy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table was renamed by orders 0005 and keeps its rows: state only.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(help_text='What was imported, e.g. lines', max_length=40)),
                        ('actor', models.CharField(help_text='User name, or the operating-system user of the CLI', max_length=150)),
                        ('started_at', models.DateTimeField()),
                        ('finished_at', models.DateTimeField()),
                        ('file_name', models.CharField(max_length=500)),
                        ('file_sha256', models.CharField(max_length=64)),
                        ('mapping', models.CharField(blank=True, max_length=200)),
                        ('client_codes', models.CharField(blank=True, max_length=500)),
                        ('outcome', models.CharField(choices=[('applied', 'Applied'), ('rejected', 'Rejected (errors, nothing written)'), ('dry_run', 'Dry run (nothing written)')], max_length=10)),
                        ('rows', models.PositiveIntegerField(default=0)),
                        ('errors', models.PositiveIntegerField(default=0)),
                        ('records_created', models.PositiveIntegerField(default=0)),
                        ('records_updated', models.PositiveIntegerField(default=0)),
                        ('records_unchanged', models.PositiveIntegerField(default=0)),
                        ('deliveries_written', models.PositiveIntegerField(default=0, help_text='Order lines only')),
                        ('created_masterdata', models.JSONField(blank=True, default=dict)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-started_at'],
                    },
                ),
            ],
        ),
        # The log carries its client (design.md, Scale path: every client-owned row has client_id).
        migrations.AddField(
            model_name='importlog',
            name='client',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='import_logs', to='tenancy.client'),
        ),
        migrations.AddIndex(
            model_name='importlog',
            index=models.Index(fields=['client', '-started_at'], name='import_log_client_latest'),
        ),
        migrations.RunPython(client_of_each_log, migrations.RunPython.noop),
    ]
