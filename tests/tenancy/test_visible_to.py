"""Scoping as a queryset method: every client-owned model reads as
`Model.objects....visible_to(principal)` (tower.tenancy.scoping, the one place), and no view reads
a client-owned model without it.

The view check is static: it walks the source of every view module and flags each
`Model.objects...` or `Model.history...` chain of a client-owned model that neither calls
`.visible_to(...)` nor is handed to `scope(...)` / `get_or_404(...)`. It does not see reads
through related managers (`client.products.all()`) or through helpers in queries.py that take a
queryset; those helpers are given querysets the views have already scoped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

import tower
from tower.masterdata.models import Product
from tower.tenancy.models import Client, Role
from tower.tenancy.scoping import ClientOwnedQuerySet

from ..conftest import make_user

SCOPING_CALLS = {"scope", "get_or_404"}
MANAGERS = {"objects", "history", "_default_manager"}


def client_owned_models() -> list[type]:
    """Models with a `client` key to tenancy.Client (simple-history's copies aside)."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("tower.")
        and not model.__name__.startswith("Historical")
        and any(
            f.name == "client" and f.is_relation and f.related_model is Client
            for f in model._meta.get_fields()
        )
    ]


def view_modules() -> list[Path]:
    root = Path(tower.__file__).parent
    return sorted(p for p in root.rglob("*.py") if "views" in p.parts[:-1] or p.name == "views.py")


def unscoped_reads(source: str, owned: set[str]) -> list[str]:
    """`line: code` of each read of an owned model that does not go through the scoping."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in owned
        ):
            continue
        top, scoped = node, False
        # Climb the chain: Model.objects.filter(...).visible_to(user).order_by(...)
        while True:
            parent = top.parent  # type: ignore[attr-defined]
            if isinstance(parent, ast.Attribute) and parent.value is top:
                scoped = scoped or parent.attr == "visible_to"
            elif not (isinstance(parent, ast.Call) and parent.func is top):
                break
            top = parent
        parent = top.parent  # type: ignore[attr-defined]
        if (
            isinstance(parent, ast.Call)
            and top in parent.args
            and isinstance(parent.func, ast.Name)
            and parent.func.id in SCOPING_CALLS
        ):
            scoped = True
        if not scoped:
            found.append((node.lineno, ast.unparse(top)))
    return [f"{line}: {code}" for line, code in sorted(found)]


def test_every_client_owned_model_reads_through_visible_to():
    owned = client_owned_models()
    assert len(owned) >= 25  # lines, batches, stock-outs, targets, ... (a guard on the walk)
    missing = [m.__name__ for m in owned if not isinstance(m.objects.all(), ClientOwnedQuerySet)]
    assert missing == []
    assert hasattr(Client.objects, "visible_to")


def test_no_view_reads_a_client_owned_model_without_visible_to():
    owned = {m.__name__ for m in client_owned_models()} | {"Client"}
    problems = {
        str(path.relative_to(Path(tower.__file__).parent)): found
        for path in view_modules()
        if (found := unscoped_reads(path.read_text(encoding="utf-8"), owned))
    }
    assert problems == {}


PLANTED = """
def line_detail(request, pk):
    line = OrderLine.objects.filter(pk=pk).first()
    mine = OrderLine.objects.filter(pk=pk).visible_to(request.user).first()
    also = scope(OrderLine.objects.filter(pk=pk), request.user).first()
    one = get_or_404(OrderLine.objects.select_related("client"), request.user, pk=pk)
    history = RootCause.history.filter(line_id=pk)
    sites = Site.objects.all()
    return line, mine, also, one, history, sites
"""


def test_the_check_flags_a_planted_unscoped_read():
    assert unscoped_reads(PLANTED, {"OrderLine", "RootCause"}) == [
        "3: OrderLine.objects.filter(pk=pk).first()",
        "7: RootCause.history.filter(line_id=pk)",
    ]


@pytest.fixture
def products(acme, globex):
    return [
        Product.objects.create(client=acme, code="AMX-500", name="Amoxicillin"),
        Product.objects.create(client=globex, code="GLX-1", name="Glexin"),
    ]


def test_visible_to_is_the_scoping_of_tenancy(acme, globex, products):
    viewer = make_user("viewer", acme, Role.CLIENT_VIEWER)
    admin = make_user("admin", admin=True)
    stranger = make_user("stranger")
    codes = lambda user: sorted(Product.objects.visible_to(user).values_list("code", flat=True))  # noqa: E731
    assert codes(viewer) == ["AMX-500"]
    assert codes(admin) == ["AMX-500", "GLX-1"]
    assert codes(stranger) == []
    assert list(Client.objects.visible_to(viewer)) == [acme]
