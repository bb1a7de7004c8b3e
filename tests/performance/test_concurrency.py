"""Two writers of one client at once, with real processes (issue 9, section 2).

On PostgreSQL the test holds a client's lock itself (a "gate") until both writers are waiting
for it, so that they really run at the same time, then lets them go. Without the per-client lock
(tower.tenancy.locks) nobody waits at the gate: after a while the test lets go anyway and the
writers race unserialised, which is what used to double rows or fail.
On SQLite the test holds the database's write lock past the busy timeout and checks the message.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client as WebClient
from django.urls import reverse

from tests.conftest import make_user
from tests.performance.conftest import ACME_LINES, APRIL, MARCH, line, monthly
from tower.imports.models import ImportLog
from tower.orders.models import OrderLine
from tower.performance.models import LineOutcome, MonthlyFailure, MonthlyOtif, MonthlyShipping
from tower.tenancy.locks import BUSY_MESSAGE, CLIENT_LOCKS
from tower.tenancy.models import Client

postgresql_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="PostgreSQL concurrency (DATABASE_URL)",
)


def _tower(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tower.cli", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _test_database_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `tower` process that works on this test's PostgreSQL database."""
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return {"DATABASE_URL": url, "TOWER_DATA_DIR": str(tmp_path / "data")}


@contextmanager
def gate(client_code: str):
    """Hold a client's lock in a connection of our own; `wait_for(n)` waits until n others wait."""
    import psycopg

    s = connection.settings_dict
    own = psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )
    own.autocommit = True
    own.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [CLIENT_LOCKS, client_code])

    def wait_for(waiting: int, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            (count,) = own.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = %s)",
                [s["NAME"]],
            ).fetchone()
            if count >= waiting:
                return True
            time.sleep(0.05)
        return False

    try:
        yield wait_for
    finally:
        own.execute("SELECT pg_advisory_unlock_all()")
        own.close()


def _no_doubled_rows(client: Client) -> None:
    for model, key in (
        (MonthlyOtif, ("period", "site_id", "product_id")),
        (MonthlyShipping, ("period", "site_id", "product_id")),
        (MonthlyFailure, ("period", "site_id", "product_id", "area_id", "code_id", "status")),
    ):
        keys = list(model.objects.filter(client=client).values_list(*key))
        assert len(keys) == len(set(keys)), model.__name__


def _many_lines(n: int) -> str:
    """n order lines of a new client NEWCO over 12 months, 3 products, 2 sites; every one
    delivered in full on its committed date except every 4th, two days late."""
    rows = [
        "client,order,line,product,site,ordered_qty,committed_date,delivered_date,delivered_qty"
    ]
    for i in range(n):
        month, day = 1 + i % 12, 1 + i % 28
        late = day + 2 if i % 4 == 0 else day
        rows.append(
            f"NEWCO,PO-{i // 5},{i % 5 + 1},P{i % 3},S{i % 2},10,"
            f"2025-{month:02}-{day:02},2025-{month:02}-{min(late, 28):02},10"
        )
    return "\n".join(rows) + "\n"


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("root_cause_catalogue")
def test_two_imports_of_a_new_client_at_once_both_succeed_without_doubled_rows(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text(_many_lines(1200), encoding="utf-8")
    env = _test_database_env(tmp_path)
    args = ("import", "lines", str(path), "--create-missing")

    with gate("NEWCO") as wait_for:
        first, second = _tower(*args, env=env), _tower(*args, env=env)
        # One waits for the master-data lock (new sites), the other for NEWCO's lock.
        both_waiting = wait_for(2)
    outputs = [process.communicate(timeout=300) for process in (first, second)]

    for process, (_out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
    assert both_waiting
    newco = Client.objects.get(code="NEWCO")
    assert OrderLine.objects.filter(client=newco).count() == 1200
    assert LineOutcome.objects.filter(client=newco).count() == 1200
    _no_doubled_rows(newco)
    # 100 lines in each of the 12 months, all measured, counted once.
    figures = MonthlyOtif.objects.filter(client=newco)
    assert sum(r.lines for r in figures) == 1200
    assert {(r.period.month, r.site_id is not None) for r in figures} == {
        (m, True) for m in range(1, 13)
    }
    logs = ImportLog.objects.filter(outcome=ImportLog.Outcome.APPLIED).order_by("pk")
    assert [(log.records_created, log.records_unchanged) for log in logs] == [
        (1200, 0),
        (0, 1200),
    ]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("root_cause_catalogue")
def test_a_web_exclusion_and_a_recompute_at_once_leave_the_right_figures(
    tmp_path, write_csv, run_import, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    acme = Client.objects.create(code="ACME", name="Acme")
    assert run_import(write_csv(ACME_LINES), create_missing=True).ok
    make_user("boss", admin=True)
    web = WebClient()
    web.login(username="boss", password="x-long-password")
    otif_line = line("PO-1", "1")
    answers = []

    def exclude():
        try:
            answers.append(
                web.post(
                    reverse("performance:line_exclusion", args=[otif_line.pk]),
                    {"reason": "Sample order"},
                )
            )
        finally:
            connections.close_all()

    with gate("ACME") as wait_for:
        recompute = _tower("recompute", "--client", "ACME", env=_test_database_env(tmp_path))
        assert wait_for(1)
        web_thread = threading.Thread(target=exclude)
        web_thread.start()
        both_waiting = wait_for(2)
    out, err = recompute.communicate(timeout=120)
    web_thread.join(timeout=120)

    assert recompute.returncode == 0, err
    assert both_waiting
    (answer,) = answers
    assert answer.status_code == 302
    _no_doubled_rows(acme)
    # conftest's March without PO-1/1 (its one OTIF line): 3 measured, 0 OTIF, 1 excluded.
    assert monthly(acme, MARCH) == {
        "lines": 3,
        "on_time": 1,
        "in_full": 1,
        "otif": 0,
        "net_otif": 0,
        "excluded": 1,
    }
    assert monthly(acme, APRIL)["lines"] == 2


def test_sqlite_import_while_another_writer_holds_the_database_says_so(tmp_path, migrated_sqlite):
    """SQLite: past the busy timeout (5 s) the import stops with a sentence, not a traceback,
    and writes nothing; once the other writer is done the same import succeeds."""
    env = {"TOWER_DATA_DIR": str(migrated_sqlite(tmp_path / "data")), "DATABASE_URL": ""}
    path = tmp_path / "lines.csv"
    path.write_text(ACME_LINES, encoding="utf-8")
    database = sqlite3.connect(tmp_path / "data" / "tower.sqlite3", isolation_level=None)
    database.execute("BEGIN IMMEDIATE")  # another writer, e.g. a long import

    blocked = _tower("import", "lines", str(path), "--create-missing", env=env)
    out, err = blocked.communicate(timeout=120)
    database.execute("ROLLBACK")

    assert blocked.returncode == 1
    assert BUSY_MESSAGE in err and "Traceback" not in err
    assert database.execute("SELECT count(*) FROM orders_orderline").fetchone() == (0,)
    retried = _tower("import", "lines", str(path), "--create-missing", env=env)
    assert retried.wait(timeout=120) == 0, retried.stderr.read()
    assert database.execute("SELECT count(*) FROM orders_orderline").fetchone() == (7,)
