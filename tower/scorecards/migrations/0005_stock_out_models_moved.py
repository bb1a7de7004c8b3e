# Stock-outs now live in the stockouts app (issue 9): scorecards forgets them, state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('stockouts', '0001_initial'),
        ('scorecards', '0004_stock_out_tables_to_stockouts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='stockoutevent',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='stockoutevent',
                    name='lines',
                ),
                migrations.RemoveField(
                    model_name='stockoutevent',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='stockoutevent',
                    name='reported_by',
                ),
                migrations.RemoveField(
                    model_name='stockoutlink',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='stockoutlink',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='stockoutlink',
                    name='line',
                ),
                migrations.DeleteModel(
                    name='HistoricalStockOutEvent',
                ),
                migrations.DeleteModel(
                    name='StockOutEvent',
                ),
                migrations.DeleteModel(
                    name='StockOutLink',
                ),
            ],
        ),
    ]
