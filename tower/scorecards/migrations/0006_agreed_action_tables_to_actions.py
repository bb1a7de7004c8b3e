# Agreed actions move to the actions register (issue 11, tower.actions): first their tables take
# actions' names here (rows and history kept), then actions 0001 adopts the model without touching
# the database, and scorecards 0007 forgets it (as 0002 and 0003 did for the agreement terms).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0005_stock_out_models_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="agreedaction", table="actions_action"),
        migrations.AlterModelTable(name="historicalagreedaction", table="actions_historicalaction"),
    ]
