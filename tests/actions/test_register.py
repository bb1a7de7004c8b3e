"""The actions register: one definition of overdue, the services' rules and audit, the page's
filters, sorting, pagination and downloads, the fragment, and client scoping."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from tests.actions.conftest import TODAY, add
from tower.actions import services
from tower.actions.models import Action, is_overdue
from tower.workflow import NotAllowed, WorkflowError


def titles(response) -> list[str]:
    return [row["action"].title for row in response.context["rows"]]


# --- the one definition -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("open", dt.date(2026, 11, 9), True),  # due yesterday
        ("open", TODAY, False),  # due today: not yet
        ("open", dt.date(2026, 11, 11), False),
        ("open", None, False),  # no due date: never
        ("done", dt.date(2026, 1, 1), False),
        ("cancelled", dt.date(2026, 1, 1), False),
    ],
)
def test_overdue_is_open_and_due_before_today(status, due, expected):
    assert is_overdue(status, due, TODAY) is expected


def test_the_query_and_the_object_agree(register):
    acme = register["late"].client
    query = set(Action.objects.filter(client=acme).overdue(TODAY).values_list("title", flat=True))
    objects = {a.title for a in Action.objects.filter(client=acme) if a.is_overdue(TODAY)}
    assert query == objects == {"Late carrier review"}


# --- services -----------------------------------------------------------------------------------


def test_clients_read_but_do_not_keep_the_register(acme, people, register):
    with pytest.raises(NotAllowed):
        add(acme, people.approver, "Client's own idea")
    with pytest.raises(NotAllowed):
        services.set_status(action=register["late"], status="done", user=people.viewer)
    add(acme, people.staff, "Staff may add")


@pytest.mark.parametrize(
    ("title", "owner", "due", "message"),
    [
        ("  ", "QA", None, "what is to be done"),
        ("Fix", "", None, "who does it"),
        ("x" * 301, "QA", None, "too long"),
        ("Fix\x00", "QA", None, "control character"),
        ("Fix", "QA", dt.date(3000, 1, 1), "between the years 1900 and 2999"),
    ],
)
def test_bad_actions_are_refused_with_the_reason(acme, people, title, owner, due, message):
    with pytest.raises(WorkflowError, match=message):
        services.add_action(
            client=acme, source="meeting", title=title, owner=owner, due_date=due, user=people.staff
        )
    with pytest.raises(WorkflowError, match="Unknown source"):
        services.add_action(client=acme, source="chat", title="a", owner="b", user=people.staff)
    assert not Action.objects.exists()


def test_status_owner_and_due_date_changes_are_audited(register, people):
    action = register["late"]
    services.set_status(action=action, status="done", user=people.staff)
    services.set_status(action=action, status="done", user=people.staff)  # unchanged: no record
    services.reschedule(
        action=action, owner="QA lead", due_date=dt.date(2026, 12, 1), user=people.staff
    )
    history = list(action.history.order_by("history_id"))
    assert [(h.status, h.owner, h.history_change_reason) for h in history] == [
        ("open", "Planning", "agreed"),
        ("done", "Planning", "marked done"),
        ("done", "QA lead", "owner Planning → QA lead; due 2026-11-09 → 2026-12-01"),
    ]
    assert history[-1].history_user == people.staff
    with pytest.raises(WorkflowError, match="Unknown status"):
        services.set_status(action=action, status="closed", user=people.staff)


# --- the page -----------------------------------------------------------------------------------


def test_the_register_lists_every_source_soonest_first_with_overdue_flagged(
    client, people, register
):
    client.force_login(people.admin)
    response = client.get("/actions/")
    assert response.status_code == 200
    # Due dates ascending, the undated one last (on SQLite and PostgreSQL alike).
    assert titles(response) == [
        "Old fix",
        "Globex secret plan",
        "Late carrier review",
        "Send stock report",
        "Plan the audit",
        "Second source",
        "Undated idea",
    ]
    flagged = {row["action"].title for row in response.context["rows"] if row["overdue"]}
    assert flagged == {"Late carrier review", "Globex secret plan"}
    page = response.content.decode()
    assert page.count("data-overdue") == 2
    assert response.context["overdue_count"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?overdue=1", {"Late carrier review"}),
        ("?source=review", {"Late carrier review"}),
        ("?source=notice", {"Plan the audit"}),
        ("?owner=qa", {"Send stock report", "Undated idea"}),
        ("?status=done", {"Old fix"}),
        ("?due_from=2026-11-10&due_to=2026-11-16", {"Send stock report", "Plan the audit"}),
        ("?status=open&due_to=2026-11-10", {"Late carrier review", "Send stock report"}),
    ],
)
def test_filters(client, people, register, query, expected):
    client.force_login(people.staff)  # ACME's staff: GLOBEX's action is not theirs
    response = client.get("/actions/" + query)
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_bad_filters_answer_400_with_the_reason_not_500(client, people, register):
    client.force_login(people.staff)
    response = client.get("/actions/?due_from=2026-12-01&due_to=2026-11-01&sort=colour")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end of the due range is before its start." in page
    assert "The register can be sorted by" in page
    assert client.get("/actions/?due_from=yesterday").status_code == 400
    assert client.get("/actions/?source=chat").status_code == 400


def test_sorting_and_pagination(client, people, acme, register):
    client.force_login(people.staff)
    by_owner = titles(client.get("/actions/?sort=owner&status=open"))
    assert by_owner[:3] == ["Late carrier review", "Plan the audit", "Second source"]  # Planning
    assert by_owner[3:] == ["Send stock report", "Undated idea"]  # QA lead: due, then undated
    descending = titles(client.get("/actions/?sort=-title"))
    assert descending == sorted(descending, reverse=True)
    for n in range(60):
        add(acme, people.staff, f"Bulk {n:02d}", due=dt.date(2027, 1, 1))
    first = client.get("/actions/")
    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.count == 66
    assert len(client.get("/actions/?page=2").context["rows"]) == 16
    assert client.get("/actions/?page=x").status_code == 200  # the first page


def test_empty_states(client, people, acme, today):
    client.force_login(people.staff)
    page = client.get("/actions/").content.decode()
    assert "No action agreed yet." in page
    page = client.get("/actions/?overdue=1").content.decode()
    assert "No action matches these filters." in page


def test_client_users_see_only_their_clients_actions(client, people, register):
    client.force_login(people.viewer)
    response = client.get("/actions/")
    assert "Globex secret plan" not in response.content.decode()
    assert len(response.context["rows"]) == 6
    assert client.get("/actions/?client=GLOBEX").status_code == 404
    assert client.get(f"/actions/{register['globex'].pk}/").status_code == 404
    # The register reads; changing belongs to the CMO.
    page = client.get(f"/actions/{register['late'].pk}/").content.decode()
    assert "status-form" not in page
    assert (
        client.post(f"/actions/{register['late'].pk}/status/", {"status": "done"}).status_code
        == 403
    )


def test_the_cmo_changes_an_action_from_its_page(client, people, register):
    client.force_login(people.staff)
    action = register["late"]
    response = client.post(f"/actions/{action.pk}/status/", {"status": "done"}, follow=True)
    assert "“Late carrier review” is now done." in response.content.decode()
    response = client.post(
        f"/actions/{action.pk}/reschedule/",
        {"owner": "QA lead", "due_date": "2026-13-01"},
        follow=True,
    )
    assert "Nothing was changed." in response.content.decode()
    client.post(f"/actions/{action.pk}/reschedule/", {"owner": "QA lead", "due_date": ""})
    action.refresh_from_db()
    assert (action.status, action.owner, action.due_date) == ("done", "QA lead", None)
    page = client.get(f"/actions/{action.pk}/").content.decode()
    assert "marked done" in page and "owner Planning → QA lead" in page


# --- downloads ----------------------------------------------------------------------------------


def test_csv_and_xlsx_hold_the_filtered_rows_with_formulas_neutralised(
    client, people, acme, register
):
    add(acme, people.staff, '=HYPERLINK("http://x")', due=dt.date(2026, 11, 1))
    client.force_login(people.staff)
    response = client.get("/actions/export.csv?overdue=1")
    assert response.status_code == 200
    assert 'filename="actions-all-2026-11-10.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["title"], r["due_date"], r["overdue"], r["client"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")', "2026-11-01", "yes", "ACME"),
        ("Late carrier review", "2026-11-09", "yes", "ACME"),
    ]
    assert rows[1]["source"] == "Scorecard review"
    response = client.get("/actions/export.xlsx?client=ACME&source=review")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Actions"]
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Client", "Source", "Agreed in", "Title"]
    assert [c.value for c in sheet[4]][3] == "Late carrier review"
    assert sheet.max_row == 4
    assert client.get("/actions/export.pdf").status_code == 404


# --- the fragment -------------------------------------------------------------------------------


def test_the_fragment_shows_overdue_and_due_within_seven_days(client, people, register):
    client.force_login(people.staff)
    response = client.get("/actions/due/")
    assert response.status_code == 200
    shown = [row["action"].title for row in response.context["rows"]]
    # Open, dated up to today + 6 (2026-11-16); overdue first by due date.
    assert shown == ["Late carrier review", "Send stock report", "Plan the audit"]
    assert [row["overdue"] for row in response.context["rows"]] == [True, False, False]
    assert "<html" not in response.content.decode()  # a fragment, not a page
    response = client.get("/actions/due/?client=ACME")
    assert response.status_code == 200
    assert client.get("/actions/due/?client=GLOBEX").status_code == 404
