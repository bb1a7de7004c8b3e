# Agreement terms and penalties now live in agreements (issue 9): scorecards forgets them, state
# only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_initial'),
        ('scorecards', '0002_agreement_tables_to_agreements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalagreement',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='historicalagreement',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalpenaltyterm',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='historicalpenaltyterm',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='penaltyterm',
                    name='client',
                ),
                migrations.DeleteModel(
                    name='Agreement',
                ),
                migrations.DeleteModel(
                    name='HistoricalAgreement',
                ),
                migrations.DeleteModel(
                    name='HistoricalPenaltyTerm',
                ),
                migrations.DeleteModel(
                    name='PenaltyTerm',
                ),
            ],
        ),
    ]
