# Adopts performance's FunctionalArea and RootCauseCode (issue 9, layers). The tables were renamed
# by performance 0007 and keep their rows; this only records the models in masterdata's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0001_initial"),
        ("performance", "0007_codes_tables_to_masterdata"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="FunctionalArea",
                    fields=[
                        ("code", models.CharField(max_length=40, primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=100)),
                        (
                            "cmo_attributable",
                            models.BooleanField(
                                help_text="Failures here count against the CMO in net OTIF"
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="RootCauseCode",
                    fields=[
                        ("code", models.CharField(max_length=40, primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=200)),
                        ("active", models.BooleanField(default=True)),
                        (
                            "area",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="codes",
                                to="masterdata.functionalarea",
                            ),
                        ),
                    ],
                    options={"ordering": ["area", "code"]},
                ),
            ],
        ),
    ]
