"""Migration 0009 gives the monthly tables natural keys; a database that already holds rows
doubled by two concurrent refreshes (possible before the keys existed) must still migrate."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("performance", "0008_codes_moved_to_masterdata")]
KEYS = [("performance", "0009_natural_keys")]


@pytest.mark.django_db(transaction=True)
def test_doubled_monthly_rows_are_dropped_so_the_natural_keys_apply():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    client = old.get_model("tenancy", "Client").objects.create(code="DUP", name="Dup")
    product = old.get_model("masterdata", "Product").objects.create(
        client=client, code="P1", name="P1"
    )
    shipping = old.get_model("performance", "MonthlyShipping")
    month = dt.date(2026, 3, 1)
    row = {"client": client, "site": None, "product": product, "period": month}
    for _ in range(2):  # the same key twice: site NULL, as the old rebuild could leave it
        shipping.objects.create(**row, shipped=4, on_plan=3, unplanned=0)
    shipping.objects.create(
        **{**row, "period": dt.date(2026, 4, 1)}, shipped=1, on_plan=1, unplanned=0
    )

    executor = MigrationExecutor(connection)
    executor.migrate(KEYS)

    new = MigrationExecutor(connection).loader.project_state(KEYS).apps
    rows = new.get_model("performance", "MonthlyShipping").objects.order_by("period")
    assert [(r.period, r.shipped, r.on_plan) for r in rows] == [
        (month, 4, 3),
        (dt.date(2026, 4, 1), 1, 1),
    ]
    # Back to the current schema for the next tests.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
