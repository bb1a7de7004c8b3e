"""Option parsing shared by the OTIF commands (otif, outcomes, recompute, definition)."""

from __future__ import annotations

import argparse

from django.core.management.base import CommandError

from tower.engine.periods import parse_iso_date, parse_month
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM, visible_clients


def clients_for(code: str | None, principal=SYSTEM) -> list[Client]:
    """The client named by --client, or every visible client; unknown codes are an error."""
    clients = visible_clients(principal)
    if code is None:
        return list(clients)
    client = clients.filter(code=code).first()
    if client is None:
        known = ", ".join(clients.values_list("code", flat=True)) or "none yet"
        raise CommandError(f"unknown client {code!r} (known: {known})")
    return [client]


def date_option(text: str):
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def month_option(text: str):
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
