"""Migration 0009 gives the monthly tables natural keys; a database that already holds rows
doubled by two concurrent refreshes (possible before the keys existed) must still migrate.

The check runs on a scratch database of the same engine, migrated forward only as far as it
needs: rolling the test database back to 0008 and forward again would unapply and reapply
every later migration of every app, minutes of work for one assertion.
"""

import copy
import datetime as dt

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

BEFORE = [("performance", "0008_codes_moved_to_masterdata")]
KEYS = [("performance", "0009_natural_keys")]
SCRATCH = "migration_scratch"


@pytest.fixture
def scratch(transactional_db, tmp_path):
    """An empty database beside the test database (a file on SQLite, a database on
    PostgreSQL), behind a connection set for this test only (not in settings.DATABASES, which
    Django's test case allows), dropped afterwards."""
    default = connections["default"]
    config = copy.deepcopy(default.settings_dict)
    if default.vendor == "sqlite":
        config["NAME"] = str(tmp_path / "scratch.sqlite3")
    else:
        config["NAME"] = f"{default.settings_dict['NAME']}_scratch"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias=SCRATCH)
    connections[SCRATCH] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections[SCRATCH]
        if default.vendor != "sqlite":
            with default.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')


def test_doubled_monthly_rows_are_dropped_so_the_natural_keys_apply(scratch):
    MigrationExecutor(scratch).migrate(BEFORE)
    old = MigrationExecutor(scratch).loader.project_state(BEFORE).apps
    client = old.get_model("tenancy", "Client").objects.using(SCRATCH).create(code="D", name="D")
    product = (
        old.get_model("masterdata", "Product")
        .objects.using(SCRATCH)
        .create(client=client, code="P1", name="P1")
    )
    shipping = old.get_model("performance", "MonthlyShipping").objects.using(SCRATCH)
    month = dt.date(2026, 3, 1)
    row = {"client": client, "site": None, "product": product, "period": month}
    for _ in range(2):  # the same key twice: site NULL, as the old rebuild could leave it
        shipping.create(**row, shipped=4, on_plan=3, unplanned=0)
    shipping.create(**{**row, "period": dt.date(2026, 4, 1)}, shipped=1, on_plan=1, unplanned=0)

    MigrationExecutor(scratch).migrate(KEYS)

    new = MigrationExecutor(scratch).loader.project_state(KEYS).apps
    rows = new.get_model("performance", "MonthlyShipping").objects.using(SCRATCH)
    assert [(r.period, r.shipped, r.on_plan) for r in rows.order_by("period")] == [
        (month, 4, 3),
        (dt.date(2026, 4, 1), 1, 1),
    ]
