# ImportLog moves to the imports app (issue 9, layers): its table takes imports' name here (rows
# kept), imports 0001 adopts the model and adds its client, and orders 0006 forgets it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_importlog_records_counts"),
    ]

    operations = [
        migrations.AlterModelTable(name="importlog", table="imports_importlog"),
    ]
