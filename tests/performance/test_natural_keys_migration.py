"""Migration 0009 gives the monthly tables natural keys; a database that already holds rows
doubled by two concurrent refreshes (possible before the keys existed) must still migrate.

The check runs on a scratch database (tests/conftest.py), migrated forward only as far as it
needs: rolling the test database back to 0008 and forward again would unapply and reapply
every later migration of every app, minutes of work for one assertion.
"""

import datetime as dt

from django.db.migrations.executor import MigrationExecutor

BEFORE = [("performance", "0008_codes_moved_to_masterdata")]
KEYS = [("performance", "0009_natural_keys")]


def test_doubled_monthly_rows_are_dropped_so_the_natural_keys_apply(scratch):
    MigrationExecutor(scratch).migrate(BEFORE)
    old = MigrationExecutor(scratch).loader.project_state(BEFORE).apps
    client = (
        old.get_model("tenancy", "Client").objects.using(scratch.alias).create(code="D", name="D")
    )
    product = (
        old.get_model("masterdata", "Product")
        .objects.using(scratch.alias)
        .create(client=client, code="P1", name="P1")
    )
    shipping = old.get_model("performance", "MonthlyShipping").objects.using(scratch.alias)
    month = dt.date(2026, 3, 1)
    row = {"client": client, "site": None, "product": product, "period": month}
    for _ in range(2):  # the same key twice: site NULL, as the old rebuild could leave it
        shipping.create(**row, shipped=4, on_plan=3, unplanned=0)
    shipping.create(**{**row, "period": dt.date(2026, 4, 1)}, shipped=1, on_plan=1, unplanned=0)

    MigrationExecutor(scratch).migrate(KEYS)

    new = MigrationExecutor(scratch).loader.project_state(KEYS).apps
    rows = new.get_model("performance", "MonthlyShipping").objects.using(scratch.alias)
    assert [(r.period, r.shipped, r.on_plan) for r in rows.order_by("period")] == [
        (month, 4, 3),
        (dt.date(2026, 4, 1), 1, 1),
    ]
