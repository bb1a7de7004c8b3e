# Functional areas and root-cause codes move to masterdata (issue 9, layers): first their tables
# take masterdata's names here, then masterdata adopts the models without touching the database
# (masterdata 0002), and performance 0008 points the foreign keys at them and forgets its own.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0001_initial"),
        ("performance", "0006_monthly_shipping"),
        ("quality", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="functionalarea", table="masterdata_functionalarea"),
        migrations.AlterModelTable(name="rootcausecode", table="masterdata_rootcausecode"),
    ]
