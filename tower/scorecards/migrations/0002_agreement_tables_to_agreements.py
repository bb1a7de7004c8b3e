# The agreement models move to the agreements app (issue 9, layers): first their tables take
# agreements' names here (rows kept), then agreements 0001 adopts the models without touching the
# database, and scorecards forgets them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="agreement", table="agreements_agreement"),
        migrations.AlterModelTable(name="historicalagreement", table="agreements_historicalagreement"),
        migrations.AlterModelTable(name="penaltyterm", table="agreements_penaltyterm"),
        migrations.AlterModelTable(name="historicalpenaltyterm", table="agreements_historicalpenaltyterm"),
    ]
