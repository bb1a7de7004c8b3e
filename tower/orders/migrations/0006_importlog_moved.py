# ImportLog now lives in the imports app (issue 9): orders forgets it, state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("orders", "0005_importlog_table_to_imports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="ImportLog")],
        ),
    ]
