# Definitions and targets now live in agreements (issue 9): performance forgets them, state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_initial'),
        ('performance', '0010_agreement_tables_to_agreements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalotifdefinitionversion',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='historicalotifdefinitionversion',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='kpitarget',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='otifdefinitionversion',
                    name='client',
                ),
                migrations.DeleteModel(
                    name='HistoricalKpiTarget',
                ),
                migrations.DeleteModel(
                    name='HistoricalOtifDefinitionVersion',
                ),
                migrations.DeleteModel(
                    name='KpiTarget',
                ),
                migrations.DeleteModel(
                    name='OtifDefinitionVersion',
                ),
            ],
        ),
    ]
