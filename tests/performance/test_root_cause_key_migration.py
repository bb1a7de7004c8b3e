"""Migration 0017 turns the root cause's one-to-one to its line into a foreign key unique on
(client, line): the key leads with the client (design.md, Scale path). A database that already
holds root causes must migrate with every cause kept, on SQLite and PostgreSQL alike.

The check runs on a scratch database (tests/conftest.py), migrated forward only as far as it
needs, like tests/performance/test_natural_keys_migration.py.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("performance", "0016_closed_records")]
AFTER = [("performance", "0017_root_cause_client_line")]


def unique_keys(connection) -> set[tuple[str, ...]]:
    """The column lists of the root-cause table's unique constraints (the primary key aside)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "performance_rootcause")
    return {tuple(c["columns"]) for c in found.values() if c["unique"] and not c["primary_key"]}


def test_existing_root_causes_are_kept_and_unique_per_client_and_line(scratch):
    MigrationExecutor(scratch).migrate(BEFORE)
    old = MigrationExecutor(scratch).loader.project_state(BEFORE).apps

    def objects(label):
        return old.get_model(*label.split(".")).objects.using(scratch.alias)

    area = objects("masterdata.FunctionalArea").create(
        code="T-MFG", name="Manufacturing", cmo_attributable=True
    )
    code = objects("masterdata.RootCauseCode").create(code="T-EQUIP", area=area, name="Equipment")
    now = timezone.now()
    lines = {}
    for client_code in ("ACME", "GLOBEX"):
        client = objects("tenancy.Client").create(code=client_code, name=client_code)
        product = objects("masterdata.Product").create(client=client, code="P1", name="P1")
        order = objects("orders.Order").create(client=client, number=f"{client_code}-SO-1")
        for number in ("1", "2"):
            lines[client_code, number] = objects("orders.OrderLine").create(
                client=client,
                order=order,
                line_number=number,
                product=product,
                ordered_qty=10,
                committed_date=dt.date(2026, 3, 10),
            )
    # Three causes: both ACME lines and GLOBEX's first; GLOBEX line 2 has none.
    for (client_code, number), status in {
        ("ACME", "1"): "approved",
        ("ACME", "2"): "proposed",
        ("GLOBEX", "1"): "disputed",
    }.items():
        line = lines[client_code, number]
        objects("performance.RootCause").create(
            client_id=line.client_id,
            line=line,
            code=code,
            status=status,
            proposed_by="planner",
            proposed_at=now,
        )
    assert ("line_id",) in unique_keys(scratch)

    MigrationExecutor(scratch).migrate(AFTER)

    new = MigrationExecutor(scratch).loader.project_state(AFTER).apps
    causes = new.get_model("performance", "RootCause").objects.using(scratch.alias)
    kept = {
        (c.client.code, c.line.line_number, c.code_id, c.status)
        for c in causes.select_related("client", "line")
    }
    assert kept == {
        ("ACME", "1", "T-EQUIP", "approved"),
        ("ACME", "2", "T-EQUIP", "proposed"),
        ("GLOBEX", "1", "T-EQUIP", "disputed"),
    }
    keys = unique_keys(scratch)
    assert ("client_id", "line_id") in keys and ("line_id",) not in keys

    def propose(client_code: str, number: str):
        line = lines[client_code, number]
        fields = {"code_id": "T-EQUIP", "proposed_by": "planner", "proposed_at": now}
        return causes.create(client_id=line.client_id, line_id=line.pk, **fields)

    # A second cause for a line that has one is refused by the new key.
    with pytest.raises(IntegrityError), transaction.atomic(using=scratch.alias):
        propose("ACME", "1")
    # The line without a cause still takes one.
    assert propose("GLOBEX", "2").status == "proposed"
    assert causes.count() == 4
