"""The demo's FMEA and process maps: rows of every priority across the three sites, one
harmonised (completed, verified, revised), an overdue action, and a map per site."""

import pytest

from tests.conftest import make_user
from tower.demo.harmonisation import build_fmea, build_process_maps
from tower.harmonisation.models import FmeaItem, RatingKind
from tower.harmonisation.queries import ranked
from tower.masterdata.models import Site
from tower.processes.models import ActivityPackage
from tower.tenancy.models import Client


@pytest.mark.django_db
def test_demo_fmea_has_every_priority_and_a_verified_revision():
    for code in ("LYO", "CRK", "BSL"):
        Site.objects.create(code=code, name=code)
    clients = [Client.objects.create(code=f"C{i}", name=f"Client {i}") for i in range(3)]
    make_user("cmo-admin", admin=True)
    build_fmea(clients)
    build_fmea(clients)  # once only
    items = list(ranked(FmeaItem.objects.all()))
    assert len(items) == 6
    assert {i.ap for i in items} == {"H", "M", "L"}
    (revised,) = [i for i in items if i.is_revised]
    assert (revised.ap, revised.revised_ap) == ("H", "L")
    assert revised.ratings.filter(kind=RatingKind.REVISED).get().action.is_verified
    assert [i.current_ap for i in items] == ["H", "M", "M", "M", "L", "L"]
    assert any(a.is_overdue(a.due_date.__class__.today()) for i in items for a in i.actions.all())
    build_process_maps()
    assert set(ActivityPackage.objects.values_list("site__code", flat=True)) == {
        "LYO",
        "CRK",
        "BSL",
    }
