"""The end-to-end process map: the default map, failed lines traced to hand-overs through their
functional area (hand-computed on the web tests' world), what each role sees, the services'
rules, the command, and bounded queries.

The world (tests/web/conftest.py), lines due March and April 2026, measured 5 per client:
  ACME   EU1 SO-1002 failed, MFG-EQUIPMENT (manufacturing; March, closed)
         US1 SO-1003 failed, CLI-ORDER-CHANGE (client); US1 SO-1006 failed, unclassified
  GLOBEX the same, and EU1 SO-1004 (one day late, no grace) failed, unclassified
Default map: manufacturing traces to Production -> Quality control; client and unclassified
trace to no hand-over.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.masterdata.models import Site
from tower.processes import services
from tower.processes.models import ActivityPackage, Interface, InterfaceTrace, Task
from tower.tenancy.scoping import SYSTEM
from tower.workflow import NotAllowed, WorkflowError

PERIOD = "from=2026-03&to=2026-04"


@pytest.fixture
def mapped(world):
    for site in Site.objects.filter(code__in=["EU1", "US1"]):
        assert services.seed_default_map(user=SYSTEM, site=site)
    return world


def _hand_over(response, site, source, target):
    (site_map,) = [m for m in response.context["maps"] if m.site.code == site]
    (found,) = [
        h
        for h in site_map.hand_overs
        if (h.interface.from_department_id, h.interface.to_department_id) == (source, target)
    ]
    return site_map, found


def test_failed_lines_are_traced_to_their_hand_over_hand_computed(mapped, client):
    client.force_login(mapped.admin)
    response = client.get(f"/process/?{PERIOD}")
    assert response.status_code == 200
    eu1, production_qc = _hand_over(response, "EU1", "production", "qc")
    assert production_qc.failed == 2  # both SO-1002
    assert response.context["measured"] == 10
    assert production_qc.points == pytest.approx(20.0)
    assert eu1.untraced == 1  # GLOBEX SO-1004, unclassified
    us1, _ = _hand_over(response, "US1", "production", "qc")
    assert us1.untraced == 4  # SO-1003 (client) and SO-1006 (unclassified) of each
    assert sum(h.failed for h in us1.hand_overs) == 0
    (area, lines, url) = production_qc.links[0]
    assert (area, lines) == ("manufacturing", 2)
    assert "site=EU1" in url and "area=manufacturing" in url and "from=2026-03" in url
    assert response.context["ranking"][0][1] is production_qc
    # The link shows exactly the lines counted.
    lines_page = client.get(url).content.decode()
    assert "ACME-SO-1002" in lines_page and "GLOBEX-SO-1002" in lines_page
    assert "SO-1004" not in lines_page


def test_client_users_see_their_own_lines_counts_only(mapped, client):
    for user, failed, measured in ((mapped.acme_viewer, 1, 5), (mapped.acme_staff, 1, 5)):
        client.force_login(user)
        response = client.get(f"/process/?{PERIOD}")
        assert response.status_code == 200
        _, production_qc = _hand_over(response, "EU1", "production", "qc")
        assert (production_qc.failed, response.context["measured"]) == (failed, measured)
        html = response.content.decode()
        assert "globex" not in html.lower()
        assert "Production → Quality control" in html
        assert client.get(f"/process/?client=GLOBEX&{PERIOD}").status_code == 404
    client.force_login(mapped.globex_viewer)
    response = client.get(f"/process/?{PERIOD}")
    eu1, production_qc = _hand_over(response, "EU1", "production", "qc")
    assert (production_qc.failed, eu1.untraced) == (1, 1)


def test_the_default_map_has_every_task_and_raci(mapped):
    eu1 = Site.objects.get(code="EU1")
    packages = ActivityPackage.objects.filter(site=eu1)
    assert {p.task for p in packages} == set(Task.values)
    for package in packages:
        roles = [r.role for r in package.responsibilities.all()]
        assert roles.count("A") == 1 and "R" in roles, package
    assert Interface.objects.filter(site=eu1).count() == 7
    assert InterfaceTrace.objects.filter(site=eu1).count() == 5
    assert not services.seed_default_map(user=SYSTEM, site=eu1)  # already mapped


def test_only_cmo_admins_change_the_map_and_the_rules_hold(mapped):
    eu1 = Site.objects.get(code="EU1")
    with pytest.raises(NotAllowed):
        services.add_package(
            user=mapped.acme_staff,
            site=eu1,
            task="plan",
            name="x",
            raci={"planning": "A"},
            reason="r",
        )
    with pytest.raises(WorkflowError, match="exactly one Accountable"):
        services.add_package(
            user=SYSTEM, site=eu1, task="plan", name="x", raci={"planning": "R"}, reason="r"
        )
    with pytest.raises(WorkflowError, match="no main task"):
        services.add_package(user=SYSTEM, site=eu1, task="dance", name="x", raci={}, reason="r")
    us1_interface = Interface.objects.filter(site__code="US1").first()
    with pytest.raises(WorkflowError, match="another site"):
        services.trace_area(
            user=SYSTEM, site=eu1, area="shipping", interface=us1_interface, reason="r"
        )
    # Re-tracing shipping to another hand-over is kept in the history with its reason.
    other = Interface.objects.get(site=eu1, from_department="qc", to_department="warehouse")
    services.trace_area(user=SYSTEM, site=eu1, area="shipping", interface=other, reason="moved")
    trace = InterfaceTrace.objects.get(site=eu1, area="shipping")
    assert trace.interface == other
    assert trace.history.first().history_change_reason == "moved"


def test_the_seed_command(world, capsys):
    call_command("process", "seed", "--site", "EU1")
    assert "EU1: default map added" in capsys.readouterr().out
    call_command("process", "seed")
    out = capsys.readouterr().out
    assert "EU1: already mapped" in out and "US1: default map added" in out
    with pytest.raises(CommandError, match="no site"):
        call_command("process", "seed", "--site", "NOPE")


def test_empty_state_and_bad_filters(world, client):
    client.force_login(world.admin)
    html = client.get(f"/process/?{PERIOD}").content.decode()
    assert "No process map for this site yet" in html
    assert client.get("/process/?from=2026-13").status_code == 400


def test_the_map_runs_a_bounded_number_of_queries(mapped, client, django_assert_max_num_queries):
    client.force_login(mapped.admin)
    with django_assert_max_num_queries(40) as few:
        assert client.get(f"/process/?{PERIOD}").status_code == 200
    for code in ("EU2", "EU3", "US2"):
        site = Site.objects.create(code=code, name=code)
        services.seed_default_map(user=SYSTEM, site=site)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/process/?{PERIOD}").status_code == 200
