"""ImportLog counts records of any kind (batches, deviations, ...), not only order lines."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_orderline_planned_ship_date")]

    operations = [
        migrations.RenameField("importlog", "lines_created", "records_created"),
        migrations.RenameField("importlog", "lines_updated", "records_updated"),
        migrations.RenameField("importlog", "lines_unchanged", "records_unchanged"),
        migrations.AlterField(
            model_name="importlog",
            name="deliveries_written",
            field=models.PositiveIntegerField(default=0, help_text="Order lines only"),
        ),
    ]
