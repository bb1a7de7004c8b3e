"""The distribution path of design.md (Scale path): every key and index of a client-owned table
leads with client_id, so a future sharded PostgreSQL (Citus) can co-locate each client's rows and
every lookup stays inside one client. A client-owned model is one with a ``client`` foreign key.

The primary key is exempt (a surrogate id). Each exception below says why it cannot lead with
client_id.
"""

from django.apps import apps
from django.db import models

TOWER_APPS_PREFIX = "tower."

# (model label, index or constraint columns) -> why it need not lead with client.
ALLOWED = {
    # Tenancy is about users: scoping asks "which clients may this user see" before any client
    # is known, so the membership key leads with the user. Memberships are a small reference
    # table (copied to every node), not rows distributed by client.
    ("tenancy.Membership", ("user", "client")): "looked up by user before a client is chosen",
    # The job worker's queues: every minute it looks for work due across all clients (the
    # escalation clock, the webhook retries); a per-client index would need one scan per client.
    ("escalations.Escalation", ("status", "deadline")): "the clock's queue across clients",
    ("webhooks.Delivery", ("status", "next_attempt_at")): "the retry queue across clients",
    # A random UUID receivers see as the delivery's id: it cannot collide across clients.
    ("webhooks.Delivery", ("uid",)): "random UUID, unique by construction",
}

# Columns that point at Django's users, a reference table that is not distributed by client:
# their single-column index serves deleting or deactivating a user (SET_NULL / CASCADE by
# user_id), which has no client to lead with.
USER_COLUMNS = {
    "user",
    "created_by",
    "author",
    "reported_by",
    "history_user",
    "opened_by",
    "recorded_by",
    "requested_by",
}


def _is_audit_history(model):
    """django-simple-history's tables: append-only audit rows read by object id and date
    (their id, history_date and history_user indexes are the library's own)."""
    return model.__name__.startswith("Historical") and hasattr(model, "history_object")


def _client_owned_models():
    for model in apps.get_models():
        if not model.__module__.startswith(TOWER_APPS_PREFIX):
            continue
        if model._meta.abstract or model._meta.proxy or not model._meta.managed:
            continue
        try:
            field = model._meta.get_field("client")
        except Exception:
            continue
        if field.is_relation:
            yield model


def _keys_and_indexes(model):
    """Every (kind, columns) the table gets: unique fields, FK indexes, unique_together,
    unique constraints and declared indexes."""
    meta = model._meta
    for field in meta.local_fields:
        if field.primary_key:
            continue
        if field.unique:
            yield "unique field", (field.name,)
        elif field.db_index:
            yield "single-column index", (field.name,)
    for fields in meta.unique_together:
        yield "unique_together", tuple(fields)
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            yield f"unique constraint {constraint.name}", tuple(constraint.fields)
    for index in meta.indexes:
        yield f"index {index.name}", tuple(f.lstrip("-") for f in index.fields)


def test_there_are_client_owned_models():
    labels = {m._meta.label for m in _client_owned_models()}
    assert {"orders.OrderLine", "performance.RootCause", "agreements.Agreement"} <= labels


def test_every_key_and_index_of_a_client_owned_table_leads_with_client():
    offenders = []
    for model in _client_owned_models():
        for kind, columns in _keys_and_indexes(model):
            if columns[0] == "client" or _is_audit_history(model):
                continue
            if columns[0] in USER_COLUMNS and len(columns) == 1:
                continue
            if (model._meta.label, columns) in ALLOWED:
                continue
            offenders.append(f"{model._meta.label} {kind} {columns}")
    assert offenders == [], "\n".join(sorted(offenders))


def test_every_exception_is_still_needed():
    present = {
        (m._meta.label, columns)
        for m in _client_owned_models()
        for _, columns in _keys_and_indexes(m)
    }
    assert set(ALLOWED) <= present, set(ALLOWED) - present
