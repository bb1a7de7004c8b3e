# A deviation's functional area now lives in masterdata (issue 9, layers); same table, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0002_functional_areas_and_codes"),
        ("quality", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="deviation",
                    name="area",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Functional area of the root cause",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deviations",
                        to="masterdata.functionalarea",
                    ),
                ),
            ],
        ),
    ]
