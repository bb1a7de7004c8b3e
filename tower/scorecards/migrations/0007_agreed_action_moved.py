# Agreed actions now live in tower.actions (issue 11): scorecards forgets them, state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("scorecards", "0006_agreed_action_tables_to_actions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="historicalagreedaction", name="client"),
                migrations.RemoveField(model_name="historicalagreedaction", name="created_by"),
                migrations.RemoveField(model_name="historicalagreedaction", name="history_user"),
                migrations.RemoveField(model_name="agreedaction", name="client"),
                migrations.RemoveField(model_name="agreedaction", name="created_by"),
                migrations.DeleteModel(name="AgreedAction"),
                migrations.DeleteModel(name="HistoricalAgreedAction"),
            ],
        ),
    ]
