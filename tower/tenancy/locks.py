"""Serialising writers per client: one import, refresh or workflow step of a client at a time.

Refreshes delete and re-insert a client's materialised rows (outcomes, monthly figures), and
imports compare a file with the stored rows before writing. Two of them for one client at once
would double rows or collide on natural keys, so every such write takes the client's lock first,
before it reads or writes anything of the client, and holds it until its transaction ends.

- PostgreSQL: a transaction-scoped advisory lock keyed on the client code (a new client of
  `--create-missing` has no row to lock yet, so not `SELECT ... FOR UPDATE`). Locks are taken in
  code order and master data (sites) before clients, so two writers never wait on each other in
  a circle. Re-entrant: a service that calls another takes the same lock twice harmlessly.
- SQLite: transactions are IMMEDIATE (settings), so the first write lock already serialises
  every writer of the whole file; nothing more to take. A writer that waits longer than the busy
  timeout gets "database is locked", which `is_database_busy` recognises so callers can say so
  in words (BUSY_MESSAGE) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

# Where pages and commands read them (tower.web imports no app); kept importable from here.
from tower.workflow import BUSY_MESSAGE, is_database_busy  # noqa: F401

# First key of the two-key advisory locks, so ours never collide with another application's.
CLIENT_LOCKS = 8101
MASTER_DATA_LOCK = (8102, 0)


def lock_clients(codes: Iterable[str]) -> None:
    """Hold the write lock of each client (by code) until the current transaction ends."""
    if connection.vendor != "postgresql":
        return
    _require_transaction()
    with connection.cursor() as cursor:
        for code in sorted(set(codes)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CLIENT_LOCKS, code])


def lock_master_data() -> None:
    """Hold the lock for creating shared master data (sites); take it before client locks."""
    if connection.vendor != "postgresql":
        return
    _require_transaction()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(MASTER_DATA_LOCK))


def _require_transaction() -> None:
    # A lock outside a transaction would be released at once: a programming error, say so.
    if not connection.in_atomic_block:
        raise RuntimeError("Client locks are taken inside transaction.atomic().")
