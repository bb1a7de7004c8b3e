# Points the foreign keys at masterdata's FunctionalArea and RootCauseCode and forgets
# performance's (issue 9, layers). The columns and tables are unchanged: state only.

import django.db.models.deletion
from django.db import migrations, models


def area():
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="masterdata.functionalarea",
    )


def code():
    return models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="masterdata.rootcausecode",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0002_functional_areas_and_codes"),
        ("performance", "0007_codes_tables_to_masterdata"),
        ("quality", "0002_deviation_area_in_masterdata"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="rootcause",
                    name="code",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="masterdata.rootcausecode",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalrootcause",
                    name="code",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="masterdata.rootcausecode",
                    ),
                ),
                migrations.AlterField(model_name="monthlyfailure", name="area", field=area()),
                migrations.AlterField(model_name="monthlyfailure", name="code", field=code()),
                migrations.AlterField(model_name="closedmonthlyfailure", name="area", field=area()),
                migrations.AlterField(model_name="closedmonthlyfailure", name="code", field=code()),
                migrations.DeleteModel(name="RootCauseCode"),
                migrations.DeleteModel(name="FunctionalArea"),
            ],
        ),
    ]
