"""The dashboard answers in five seconds: the verdict over all clients (each against its own net
OTIF target), clients worst first, and each side's worklist (served by tower.board as a
fragment the dashboard loads). Expectations computed by hand from the world of conftest.py.

Over March-April 2026 (the world's months):
  ACME (late_days=1): measured 1001 OTIF, 1002 late (cause proposed), 1003 short (cause
    approved, client's order change: met in net), 1004 one day late (inside late_days: OTIF),
    1006 open and overdue (no cause). Net OTIF 3 of 5 = 60 %.
  GLOBEX (under_pct=5): 1001 OTIF; 1002 late (proposed), 1003 short (proposed), 1004 one day
    late, 1006 not delivered. Net OTIF 1 of 5 = 20 %.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tower.agreements import services as agreements
from tower.board.worklist import ageing_end
from tower.performance import services
from tower.performance.models import RootCause

SCOPE = {"from": "2026-03", "to": "2026-04"}


def target(world, client, value, tolerance):
    agreements.set_kpi_target(
        client=client, kpi="otif_net", target=value, tolerance=tolerance, user=world.admin
    )


def verdict(response) -> dict[str, int]:
    return {v["status"]: v["count"] for v in response.context["verdict"]}


def test_verdict_counts_each_client_against_its_own_target(world, client):
    target(world, world.acme, 60, 5)  # 60 % met: green
    target(world, world.globex, 22, 5)  # 20 %: 2 points short, within 5: amber
    client.force_login(world.admin)
    response = client.get("/", SCOPE)
    assert verdict(response) == {"red": 0, "amber": 1, "green": 1}
    assert [r["client"].code for r in response.context["client_rows"]] == ["GLOBEX", "ACME"]
    html = response.content.decode()
    assert 'data-verdict="amber"' in html and 'href="#client-GLOBEX"' in html

    target(world, world.globex, 30, 5)  # 10 points short: red
    target(world, world.acme, 61, 5)  # 1 point short: amber
    response = client.get("/", SCOPE)
    assert verdict(response) == {"red": 1, "amber": 1, "green": 0}
    assert [r["client"].code for r in response.context["client_rows"]] == ["GLOBEX", "ACME"]


def test_worst_first_within_a_colour_is_furthest_below_target(world, client):
    target(world, world.acme, 90, 1)  # 30 points short
    target(world, world.globex, 30, 1)  # 10 points short
    client.force_login(world.admin)
    response = client.get("/", SCOPE)
    assert verdict(response) == {"red": 2, "amber": 0, "green": 0}
    assert [r["client"].code for r in response.context["client_rows"]] == ["ACME", "GLOBEX"]


def test_a_client_without_measured_lines_is_no_data_not_a_colour(world, client):
    client.force_login(world.admin)
    response = client.get("/", {"from": "2025-01", "to": "2025-02"})
    assert verdict(response) == {"red": 0, "amber": 0, "green": 0, "no_data": 2}


def test_the_dashboard_loads_the_worklist_fragment(world, client):
    client.force_login(world.acme_staff)
    html = client.get("/", SCOPE | {"client": "ACME"}).content.decode()
    assert 'hx-get="/board/worklist/?client=ACME&amp;from=2026-03&amp;to=2026-04"' in html
    assert 'hx-trigger="load"' in html


def items(response) -> dict[str, dict[str, tuple[int, str]]]:
    return {
        wl.side: {item.label.split(" (")[0]: (item.count, item.url) for item in wl.items}
        for wl in response.context["lists"]
    }


def test_cmo_worklist(world, client):
    client.force_login(world.acme_staff)
    response = client.get("/board/worklist/", SCOPE | {"client": "ACME"})
    assert response.status_code == 200
    lists = items(response)
    assert set(lists) == {"cmo"}
    cmo = lists["cmo"]
    assert cmo["Failed lines without a root cause"][0] == 1  # 1006
    assert cmo["Root causes the client disputed"][0] == 0
    # March and April 2026 ended long before ageing_end(today): 1002 (proposed) and 1006.
    assert ageing_end(dt.date.today()) >= dt.date(2026, 4, 1)
    assert cmo["Ageing failures"][0] == 2
    assert cmo["Delay notices not acknowledged by the client"][0] == 1
    # Every count links to the list it counts.
    unclassified = client.get(cmo["Failed lines without a root cause"][1])
    assert [r.line.order.number for r in unclassified.context["page_obj"]] == ["ACME-SO-1006"]
    ageing = client.get(cmo["Ageing failures"][1])
    assert sorted(r.line.order.number for r in ageing.context["page_obj"]) == [
        "ACME-SO-1002",
        "ACME-SO-1006",
    ]
    inbox = client.get(cmo["Delay notices not acknowledged by the client"][1])
    assert inbox.status_code == 200 and inbox.context["waiting"] == 1


def test_a_dispute_shows_on_the_cmo_worklist(world, client):
    cause = RootCause.objects.get(line=world.acme_late)
    services.dispute_root_cause(root_cause=cause, user=world.acme_approver, comment="No.")
    client.force_login(world.acme_staff)
    cmo = items(client.get("/board/worklist/", SCOPE | {"client": "ACME"}))["cmo"]
    assert cmo["Root causes the client disputed"][0] == 1
    disputed = client.get(cmo["Root causes the client disputed"][1])
    assert [r.line.order.number for r in disputed.context["page_obj"]] == ["ACME-SO-1002"]


@pytest.mark.parametrize("role", ["acme_viewer", "acme_approver"])
def test_client_worklist_shows_the_cmos_explanation(world, client, role):
    client.force_login(world.acme_users[role])
    response = client.get("/board/worklist/", SCOPE, headers={"HX-Request": "true"})
    lists = items(response)
    assert set(lists) == {"client"}
    assert lists["client"]["Root causes awaiting your approval"][0] == 1  # 1002
    assert lists["client"]["Delay notices to acknowledge"][0] == 1
    html = response.content.decode()
    assert "The blister line broke down." in html  # the CMO's explanation, shared
    assert "INTERNAL-ACME-NOTE" not in html  # never the internal note
    assert "<html" not in html  # a fragment for the dashboard
    proposed = client.get(lists["client"]["Root causes awaiting your approval"][1])
    assert [r.line.order.number for r in proposed.context["page_obj"]] == ["ACME-SO-1002"]


def test_the_cmo_admin_sees_both_clients_on_the_cmo_side(world, client):
    client.force_login(world.admin)
    cmo = items(client.get("/board/worklist/", SCOPE))["cmo"]
    # ACME's 1006; GLOBEX's 1004 and 1006.
    assert cmo["Failed lines without a root cause"][0] == 3
    assert cmo["Delay notices not acknowledged by the client"][0] == 2


def test_the_worklist_alone_is_a_page(world, client):
    client.force_login(world.acme_viewer)
    response = client.get("/board/worklist/", SCOPE)
    assert response.status_code == 200
    assert 'class="mainnav"' in response.content.decode()
