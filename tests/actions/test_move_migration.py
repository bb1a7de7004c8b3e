"""The scorecard's agreed actions move into the actions register (scorecards 0006/0007, actions
0001/0002) without losing a row or a line of their history. On a scratch database migrated
forward only (tests/conftest.py), not by rolling the test database back and forth."""

import datetime as dt

from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scorecards", "0005_stock_out_models_moved"), ("tenancy", "0001_initial")]
AFTER = [("actions", "0002_register_sources"), ("scorecards", "0007_agreed_action_moved")]


def test_agreed_actions_and_their_history_survive_the_move(scratch):
    db = scratch.alias
    executor = MigrationExecutor(scratch)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    client = (
        old.get_model("tenancy", "Client").objects.using(db).create(code="MOVE", name="Move Pharma")
    )
    agreed = old.get_model("scorecards", "AgreedAction")
    history = old.get_model("scorecards", "HistoricalAgreedAction")
    agreed, history = agreed.objects.using(db), history.objects.using(db)
    first = agreed.create(
        client=client,
        period="2026Q3",
        title="Second carrier",
        owner="Logistics",
        due_date=dt.date(2026, 9, 30),
        kpi="on_time",
    )
    second = agreed.create(client=client, period="2026-07", title="Audit", owner="QA")
    stamp = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    for row, kind, status in ((first, "+", "open"), (first, "~", "done"), (second, "+", "open")):
        history.create(
            id=row.pk,
            client_id=client.pk,
            period=row.period,
            kpi=row.kpi,
            title=row.title,
            owner=row.owner,
            due_date=row.due_date,
            status=status,
            created_at=stamp,
            history_date=stamp,
            history_type=kind,
            history_change_reason="agreed" if kind == "+" else "marked done",
        )

    MigrationExecutor(scratch).migrate(AFTER)
    new = MigrationExecutor(scratch).loader.project_state(AFTER).apps
    action = new.get_model("actions", "Action")
    rows = list(
        action.objects.using(db)
        .order_by("pk")
        .values("pk", "title", "period", "source", "source_label")
    )
    assert rows == [
        {
            "pk": first.pk,
            "title": "Second carrier",
            "period": "2026Q3",
            "source": "review",
            "source_label": "Q3 2026 review",
        },
        {
            "pk": second.pk,
            "title": "Audit",
            "period": "2026-07",
            "source": "review",
            "source_label": "July 2026 review",
        },
    ]
    records = new.get_model("actions", "HistoricalAction").objects.using(db).order_by("history_id")
    assert [(h.id, h.status, h.history_change_reason) for h in records] == [
        (first.pk, "open", "agreed"),
        (first.pk, "done", "marked done"),
        (second.pk, "open", "agreed"),
    ]
