"""Default-deny scoping: a user sees exactly the clients they are a member of."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.conftest import make_user
from tower.orders.models import OrderLine
from tower.tenancy.models import Client, Role
from tower.tenancy.scoping import SYSTEM, get_or_404, scope, visible_clients

TWO_CLIENTS = """
client,order,line,product,ordered_qty,committed_date,delivered_date,delivered_qty
ACME,A-1,1,P1,10,2026-01-10,2026-01-09,10
ACME,A-1,2,P2,5,2026-01-10,,
GLOBEX,G-1,1,X1,7,2026-02-01,2026-02-03,7
"""


@pytest.fixture
def lines(acme, globex, write_csv, run_import):
    report = run_import(write_csv(TWO_CLIENTS), create_missing=True)
    assert report.ok, report.errors
    return OrderLine.objects.all()


def test_client_user_sees_only_their_clients_rows(lines, acme, globex):
    viewer = make_user("acme-viewer", acme, Role.CLIENT_VIEWER)
    visible = scope(OrderLine.objects.all(), viewer)
    assert sorted(visible.values_list("order__number", flat=True)) == ["A-1", "A-1"]
    assert list(visible_clients(viewer)) == [acme]


def test_other_clients_object_is_a_404(lines, acme, globex):
    approver = make_user("acme-approver", acme, Role.CLIENT_APPROVER)
    theirs = OrderLine.objects.get(client=globex)
    with pytest.raises(Http404):
        get_or_404(OrderLine.objects.all(), approver, pk=theirs.pk)
    mine = OrderLine.objects.filter(client=acme).first()
    assert get_or_404(OrderLine.objects.all(), approver, pk=mine.pk) == mine


def test_cmo_staff_sees_assigned_clients_only(lines, acme, globex):
    planner = make_user("planner", globex, Role.CMO_STAFF)
    assert list(scope(OrderLine.objects.all(), planner).values_list("client__code", flat=True)) == [
        "GLOBEX"
    ]


def test_cmo_admin_and_system_see_every_client(lines):
    admin = make_user("boss", admin=True)
    assert scope(OrderLine.objects.all(), admin).count() == 3
    assert scope(OrderLine.objects.all(), SYSTEM).count() == 3
    assert visible_clients(admin).count() == Client.objects.count() == 2


def test_nobody_sees_anything_by_default(lines, acme):
    nobody = make_user("no-membership")
    assert scope(OrderLine.objects.all(), nobody).count() == 0
    assert scope(OrderLine.objects.all(), AnonymousUser()).count() == 0
    assert scope(OrderLine.objects.all(), None).count() == 0
    inactive = make_user("left-the-company", acme, Role.CLIENT_VIEWER)
    inactive.is_active = False
    inactive.save()
    assert scope(OrderLine.objects.all(), inactive).count() == 0
