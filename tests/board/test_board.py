"""The daily board: each section against the hand-computed world of conftest.py, the filters,
scoping, big-screen mode and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from tower.board.queries import BoardScope, board

from .conftest import DAY


def orders(section) -> list[str]:
    return [row.line.order.number for row in section.rows]


def test_board_sections_for_one_client(board_world):
    data = board(BoardScope((board_world.acme,), DAY), board_world.admin)
    assert orders(data.missed) == ["A-2", "A-3", "A-4"]  # A-1 met OTIF, A-5 was due before
    assert [r.failure_kind for r in data.missed.rows] == ["short", "short", "not_delivered"]
    assert data.still_open.total == 0  # late_days=0: nothing due yesterday is still open
    assert orders(data.risk_today) == ["A-6"]
    assert orders(data.risk_week) == ["A-7", "A-8"]  # A-9 is due after the week
    assert [d.number for d in data.deviations.rows] == ["DEV-1", "DEV-2"]  # major first
    assert [b.number for b in data.releases.rows] == ["B-2", "B-1", "B-5"]  # overdue first


def test_a_site_narrows_every_section(board_world):
    data = board(BoardScope((board_world.acme,), DAY, site="US1"), board_world.admin)
    assert orders(data.missed) == ["A-3"]
    assert data.risk_today.total == 0
    assert orders(data.risk_week) == ["A-7"]
    assert [d.number for d in data.deviations.rows] == ["DEV-2"]
    assert data.releases.total == 0  # every batch is made at EU1


def test_another_day(board_world):
    data = board(BoardScope((board_world.acme,), dt.date(2026, 4, 6)), board_world.admin)
    assert orders(data.missed) == ["A-5"]
    assert [d.number for d in data.deviations.rows] == ["DEV-3"]
    # The projection is the stored one (as of 04-07): of the lines due 04-06, A-4 is still open.
    assert orders(data.risk_today) == ["A-4"]


def test_all_clients_for_the_cmo_admin(board_world):
    scope = BoardScope((board_world.acme, board_world.globex), DAY)
    data = board(scope, board_world.admin)
    assert orders(data.missed) == ["A-2", "A-3", "A-4"]
    assert orders(data.still_open) == ["GLOBEX-1"]  # GLOBEX's late_days=1
    assert orders(data.risk_today) == ["A-6", "GLOBEX-2"] or orders(data.risk_today) == [
        "GLOBEX-2",
        "A-6",
    ]
    assert data.deviations.total == 3


def test_a_client_user_never_reads_another_clients_rows(board_world):
    # Even handed both clients, the scoped querysets keep GLOBEX's rows out.
    scope = BoardScope((board_world.acme, board_world.globex), DAY)
    data = board(scope, board_world.acme_viewer)
    assert orders(data.missed) == ["A-2", "A-3", "A-4"]
    assert data.still_open.total == 0
    assert data.deviations.total == 2 and data.releases.total == 3


def test_board_page(board_world, client):
    client.force_login(board_world.acme_viewer)
    response = client.get("/board/", {"date": "2026-04-07"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Daily board · Tuesday 7 April 2026" in html
    for number in ("A-2", "A-3", "A-4", "A-6", "A-7", "A-8", "DEV-1", "B-2"):
        assert number in html
    assert "A-9 " not in html and "globex" not in html.lower()
    assert 'data-figure="missed"' in html
    assert response.context["board"].missed.total == 3
    # Another client's code answers like an unknown one: not found.
    named = client.get("/board/", {"date": "2026-04-07", "client": "GLOBEX"})
    unknown = client.get("/board/", {"date": "2026-04-07", "client": "NO-SUCH"})
    assert named.status_code == unknown.status_code == 404


def test_big_screen_mode_refreshes_itself_and_has_no_navigation(board_world, client):
    client.force_login(board_world.admin)
    response = client.get("/board/", {"date": "2026-04-07", "screen": "1", "refresh": "60"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="mainnav"' not in html
    assert 'hx-trigger="every 60s"' in html
    assert '<meta http-equiv="refresh" content="60">' in html  # without JavaScript
    # The poll asks for the board alone.
    fragment = client.get(
        "/board/", {"date": "2026-04-07", "screen": "1"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "A-2" in fragment.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"date": "2026-02-30"},
        {"date": "yesterday"},
        {"date": "0001-01-01"},
        {"site": "NOWHERE"},
        {"refresh": "1"},
        {"refresh": "x"},
    ],
)
def test_bad_filters_are_a_clear_400(board_world, client, query):
    client.force_login(board_world.admin)
    response = client.get("/board/", query)
    assert response.status_code == 400
    assert 'class="notice error"' in response.content.decode()


def test_the_board_links_to_a_days_lines(board_world, client):
    client.force_login(board_world.admin)
    response = client.get("/lines/", {"client": "ACME", "due": "2026-04-06", "outcome": "failed"})
    assert response.status_code == 200
    listed = sorted(r.line.order.number for r in response.context["page_obj"])
    assert listed == ["A-2", "A-3", "A-4"]


def test_empty_board(board_world, client):
    client.force_login(board_world.admin)
    response = client.get("/board/", {"date": "2025-01-15"})
    html = response.content.decode()
    assert "No line due yesterday failed OTIF." in html
    assert "No deviation was opened yesterday." in html


def test_open_escalations_and_actions_due(board_world):
    """ACME: one escalation opened by hand on A-2 (a one-level matrix); actions due 04-06
    (overdue on 04-07), 04-13 (the week's last day) and 04-14 (after the week), and one done."""
    from tower.actions import services as actions
    from tower.agreements import services as agreements
    from tower.escalations import services as escalations
    from tower.orders.models import OrderLine
    from tower.tenancy.scoping import SYSTEM

    acme = board_world.acme
    agreements.set_escalation_levels(
        client=acme,
        levels=[
            {"cmo_person": "acme planner", "client_person": "acme buyer", "response_hours": "4"}
        ],
        user=SYSTEM,
    )
    line = OrderLine.objects.get(client=acme, order__number="A-2")
    opened = escalations.open_by_hand(
        client=acme, title="A-2 short", text="short", user=SYSTEM, line=line
    )
    source = "meeting"
    for title, due in (("overdue", 6), ("last day", 13), ("next week", 14), ("done", 8)):
        action = actions.add_action(
            client=acme,
            source=source,
            title=title,
            owner="planner",
            user=SYSTEM,
            due_date=dt.date(2026, 4, due),
        )
        if title == "done":
            actions.set_status(action=action, status="done", user=SYSTEM)
    data = board(BoardScope((acme,), DAY), board_world.admin)
    assert [e.pk for e in data.escalations.rows] == [opened.pk]
    assert [a.title for a in data.actions.rows] == ["overdue", "last day"]
    # GLOBEX's user sees neither.
    other = board(BoardScope((board_world.globex,), DAY), board_world.admin)
    assert other.escalations.total == other.actions.total == 0
