"""The month-close confirmation: what is unresolved (with links to the lines), the note it asks
for, closing out of order only when confirmed (tests/web/conftest.py's world: March 2026 is
closed for both clients; in ACME's April, ACME-SO-1006 failed (not delivered) with no root cause
and ACME-SO-1003 (short) has an approved one; ACME-SO-1004 is within the definition's grace)."""

from __future__ import annotations

import datetime as dt

from tower.orders.models import OrderLine
from tower.performance.models import MonthClose

APRIL = dt.date(2026, 4, 1)
MAY = dt.date(2026, 5, 1)
NOTE = "One failure still under investigation with the carrier"


def test_the_confirmation_lists_what_is_unresolved_with_links(world, client):
    client.force_login(world.admin)
    listing = client.get("/closes/?client=ACME").content.decode()
    assert 'href="/closes/confirm/?client=ACME&amp;month=2026-04"' in listing
    response = client.get("/closes/confirm/?client=ACME&month=2026-04")
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 failed line</strong> of April 2026 has no approved root cause" in body
    counts = body.split('id="unresolved-counts"', 1)[1].split("</ul>", 1)[0]
    assert "1 unclassified</a>" in counts and "status=unclassified" in counts
    assert "0 proposed" in counts and "0 disputed" in counts
    table = body.split('id="unresolved-lines"', 1)[1].split("</table>", 1)[0]
    overdue = OrderLine.objects.get(client=world.acme, order__number="ACME-SO-1006")
    assert f'<a href="/lines/{overdue.pk}/">ACME-SO-1006 / 1</a>' in table
    assert "ACME-SO-1003" not in table  # its cause is approved
    assert 'id="close-form"' in body and 'id="open-before"' not in body
    assert "globex" not in body.lower()


def test_closing_with_unresolved_failures_asks_for_a_note_and_keeps_it(world, client):
    client.force_login(world.admin)
    refused = client.post("/closes/close/", {"client": "ACME", "month": "2026-04"})
    assert refused["Location"] == "/closes/confirm/?client=ACME&month=2026-04"
    page = client.get(refused["Location"]).content.decode()
    assert "confirm the close with a note" in page
    assert not MonthClose.objects.filter(client=world.acme, period=APRIL).exists()

    done = client.post("/closes/close/", {"client": "ACME", "month": "2026-04", "note": NOTE})
    assert done["Location"].startswith("/jobs/")  # the close runs as a job (at once in tests)
    close = MonthClose.objects.get(client=world.acme, period=APRIL)
    assert (close.note, close.unresolved, close.open_before) == (NOTE, {"unclassified": 1}, [])
    detail = client.get(f"/closes/{close.pk}/").content.decode()
    assert NOTE in detail and "1 unclassified" in detail.split('id="closed-unresolved"', 1)[1]


def test_closing_out_of_order_needs_the_confirmation(world, client):
    client.force_login(world.admin)
    body = client.get("/closes/confirm/?client=ACME&month=2026-05").content.decode()
    assert "April 2026 is still open" in body.split('id="open-before"', 1)[1]
    refused = client.post("/closes/close/", {"client": "ACME", "month": "2026-05"}, follow=True)
    assert "April 2026 is still open: close it first" in refused.content.decode()
    assert not MonthClose.objects.filter(client=world.acme, period=MAY).exists()
    client.post("/closes/close/", {"client": "ACME", "month": "2026-05", "out_of_order": "on"})
    close = MonthClose.objects.get(client=world.acme, period=MAY)
    assert close.open_before == ["2026-04"]
    detail = client.get(f"/closes/{close.pk}/").content.decode()
    assert "Closed out of order: 2026-04 was still open" in detail


def test_others_see_what_is_unresolved_but_cannot_close(world, client):
    client.force_login(world.acme_viewer)
    body = client.get("/closes/confirm/?client=ACME&month=2026-04").content.decode()
    assert "ACME-SO-1006 / 1" in body and 'id="close-form"' not in body
    response = client.post("/closes/close/", {"client": "ACME", "month": "2026-04", "note": NOTE})
    assert response.status_code == 403
    assert not MonthClose.objects.filter(client=world.acme, period=APRIL).exists()
