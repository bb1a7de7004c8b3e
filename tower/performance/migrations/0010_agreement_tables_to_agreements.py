# The agreement models move to the agreements app (issue 9, layers): first their tables take
# agreements' names here (rows kept), then agreements 0001 adopts the models without touching the
# database, and performance forgets them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0009_natural_keys"),
    ]

    operations = [
        migrations.AlterModelTable(name="otifdefinitionversion", table="agreements_otifdefinitionversion"),
        migrations.AlterModelTable(name="historicalotifdefinitionversion", table="agreements_historicalotifdefinitionversion"),
        migrations.AlterModelTable(name="kpitarget", table="agreements_kpitarget"),
        migrations.AlterModelTable(name="historicalkpitarget", table="agreements_historicalkpitarget"),
    ]
