"""Shared fixtures: clients, users of each role, and a way to import a small CSV."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tower.imports.lines import import_lines
from tower.tenancy.models import Client, Membership, Role
from tower.tenancy.scoping import SYSTEM

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture
def acme(db):
    return Client.objects.create(code="ACME", name="Acme Pharma")


@pytest.fixture
def globex(db):
    return Client.objects.create(code="GLOBEX", name="Globex Therapeutics")


def make_user(username: str, client: Client | None = None, role: str | None = None, *, admin=False):
    user = get_user_model().objects.create_user(
        username=username, password="x-long-password", is_superuser=admin, is_staff=admin
    )
    if client is not None:
        Membership.objects.create(user=user, client=client, role=role)
    return user


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV from an indented text block and return its path."""

    def write(text: str, name: str = "lines.csv") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_import():
    """Import a file as the operator; extra keyword arguments go to import_lines."""

    def run(path: Path, **options):
        return import_lines(path=path, actor="test", principal=SYSTEM, **options)

    return run


__all__ = ["Role", "make_user"]
