# Stock-outs move to the stockouts app (issue 9, layers): first their tables take stockouts' names
# here (rows kept), then stockouts 0001 adopts the models without touching the database, and
# scorecards 0005 forgets them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0003_agreement_models_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="stockoutevent", table="stockouts_stockoutevent"),
        migrations.AlterModelTable(name="historicalstockoutevent", table="stockouts_historicalstockoutevent"),
        migrations.AlterModelTable(name="stockoutlink", table="stockouts_stockoutlink"),
    ]
