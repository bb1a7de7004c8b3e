"""Writing FMEA rows on the web: the new-row and edit forms, bad ratings as form errors (never a
500), who may write (a client user reads, another client's row is a 404), and the whole cycle of
an action through the pages: added, completed, verified by someone else, then re-rated.

Hand-computed AP (kpis.md 10): S = max(3, 8, 6) = 8, O 5, D 4 -> row "7-8 / 4-5", column "D 2-4"
= M, RPN 8 x 5 x 4 = 160. Revised (2, 3, 2; O 2; D 3): S 3 with O 2 is not in the table -> L,
RPN 3 x 2 x 3 = 18.
"""

import pytest

from tests.harmonisation.world import add_item
from tower.harmonisation.models import FmeaItem, RatingKind, RatingLog

NEW_ROW = {
    "client": "ACME",
    "process_area": "batch_records",
    "sites": ["EU1", "US1"],
    "difference": "EU1 and US1 print different batch-record layouts",
    "failure_mode": "The client's QA reads two layouts and queries both",
    "severity_site": "3",
    "severity_client": "8",
    "severity_patient": "6",
    "occurrence": "5",
    "detection": "4",
    "reason": "Compared the two sites' templates",
}


def test_cmo_staff_add_a_row_with_its_first_assessment(world, client):
    client.force_login(world.acme_staff)
    backlog = client.get("/harmonisation/").content.decode()
    assert 'href="/harmonisation/new/"' in backlog
    form = client.get("/harmonisation/new/?client=ACME")
    assert form.status_code == 200
    assert 'name="severity_patient"' in form.content.decode()
    response = client.post("/harmonisation/new/", NEW_ROW)
    item = FmeaItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/harmonisation/{item.pk}/"
    assert item.client == world.acme
    assert sorted(s.code for s in item.sites.all()) == ["EU1", "US1"]
    assert (item.severity, item.occurrence, item.detection, item.ap, item.rpn) == (
        8,
        5,
        4,
        "M",
        160,
    )
    (log,) = RatingLog.objects.filter(item=item)
    assert (log.kind, log.rated_by, log.reason) == (
        RatingKind.INITIAL,
        "acme-staff",
        "Compared the two sites' templates",
    )
    assert item.history.first().history_user == world.acme_staff


@pytest.mark.parametrize("bad", ["0", "11", "high", "7.5", ""])
def test_a_bad_rating_is_a_clear_error_on_the_form(world, client, bad):
    client.force_login(world.acme_staff)
    response = client.post("/harmonisation/new/", {**NEW_ROW, "occurrence": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The row was not added." in html
    assert (
        "Enter a whole number from 1 to 10." in html
        or "less than or equal to 10" in html
        or ("greater than or equal to 1" in html)
    )
    assert 'value="EU1 and US1 print different batch-record layouts"' not in html  # a textarea
    assert "EU1 and US1 print different batch-record layouts" in html  # kept for the next try
    assert FmeaItem.objects.count() == 0


def test_other_bad_input_is_a_form_error(world, client):
    client.force_login(world.acme_staff)
    no_site = client.post("/harmonisation/new/", {**NEW_ROW, "sites": []})
    assert no_site.status_code == 400
    assert "Tick at least one site whose practice differs." in no_site.content.decode()
    # Only a CMO admin writes a row about every client.
    every = client.post("/harmonisation/new/", {**NEW_ROW, "client": "*"})
    assert every.status_code == 400
    no_reason = client.post("/harmonisation/new/", {**NEW_ROW, "reason": " "})
    assert no_reason.status_code == 400
    assert FmeaItem.objects.count() == 0
    client.force_login(world.admin)
    assert client.post("/harmonisation/new/", {**NEW_ROW, "client": "*"}).status_code == 302
    assert FmeaItem.objects.get().client is None


def test_the_edit_form_changes_what_differs_with_a_reason(world, client):
    item = add_item(world.acme, at=("EU1", "US1"), r=(3, 8, 6, 5, 4))
    client.force_login(world.acme_staff)
    assert (
        f'href="/harmonisation/{item.pk}/edit/"'
        in client.get(f"/harmonisation/{item.pk}/").content.decode()
    )
    form = client.get(f"/harmonisation/{item.pk}/edit/").content.decode()
    assert item.difference in form
    changed = {
        "process_area": "batch_records",
        "sites": ["EU1"],
        "difference": "Only EU1 still prints the old layout",
        "failure_mode": "The client's QA queries EU1's batches",
        "reason": "US1 moved to the new template",
    }
    assert (
        client.post(f"/harmonisation/{item.pk}/edit/", {**changed, "reason": ""}).status_code == 400
    )
    response = client.post(f"/harmonisation/{item.pk}/edit/", changed)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.difference == "Only EU1 still prints the old layout"
    assert [s.code for s in item.sites.all()] == ["EU1"]
    assert (item.severity, item.ap) == (8, "M")  # the ratings change only with their own reason
    assert item.history.first().history_change_reason == "US1 moved to the new template"
    assert RatingLog.objects.filter(item=item).count() == 1


def test_client_users_read_but_do_not_write(world, client):
    item = add_item(world.acme)
    client.force_login(world.acme_viewer)
    assert 'href="/harmonisation/new/"' not in client.get("/harmonisation/").content.decode()
    page = client.get(f"/harmonisation/{item.pk}/").content.decode()
    assert f"/harmonisation/{item.pk}/edit/" not in page
    for url in ("/harmonisation/new/", f"/harmonisation/{item.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "written by the CMO's people" in response.content.decode()
        assert 'name="difference"' not in response.content.decode()
    assert client.post("/harmonisation/new/", NEW_ROW).status_code == 403
    edit = {**NEW_ROW, "difference": "changed by a client"}
    assert client.post(f"/harmonisation/{item.pk}/edit/", edit).status_code == 403
    item.refresh_from_db()
    assert item.difference != "changed by a client"
    assert FmeaItem.objects.count() == 1


def test_another_clients_row_is_not_found(world, client):
    theirs = add_item(world.globex, difference="globex templates")
    client.force_login(world.acme_staff)
    assert client.get(f"/harmonisation/{theirs.pk}/edit/").status_code == 404
    edit = {**NEW_ROW, "difference": "changed by acme"}
    assert client.post(f"/harmonisation/{theirs.pk}/edit/", edit).status_code == 404
    assert client.get("/harmonisation/new/?client=GLOBEX").status_code == 404
    assert client.post("/harmonisation/new/", {**NEW_ROW, "client": "GLOBEX"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.difference == "globex templates"
    assert FmeaItem.objects.count() == 1


def test_an_action_is_completed_verified_by_someone_else_then_the_row_re_rated(world, client):
    item = add_item(world.acme, r=(3, 8, 6, 5, 4))
    url = f"/harmonisation/{item.pk}/"
    client.force_login(world.acme_staff)
    client.post(
        f"{url}actions/",
        {
            "description": "One template for both sites",
            "owner": "QA head",
            "due_date": "2026-09-30",
        },
    )
    action = item.actions.get()
    assert (action.owner, str(action.due_date)) == ("QA head", "2026-09-30")
    client.post(f"/harmonisation/actions/{action.pk}/complete/", {"note": "Template issued"})
    # The same person may not verify what they completed.
    same = client.post(
        f"/harmonisation/actions/{action.pk}/verify/", {"note": "Checked"}, follow=True
    )
    assert "verified by someone other than who completed it" in same.content.decode()
    action.refresh_from_db()
    assert action.completed_by == "acme-staff" and not action.is_verified
    revised = {
        "severity_site": "2",
        "severity_client": "3",
        "severity_patient": "2",
        "occurrence": "2",
        "detection": "3",
        "action": str(action.pk),
        "reason": "Both sites print one layout",
    }
    early = client.post(f"{url}revise/", revised, follow=True)
    assert "only once an action is completed and verified" in early.content.decode()
    item.refresh_from_db()
    assert not item.is_revised
    client.force_login(world.admin)
    client.post(f"/harmonisation/actions/{action.pk}/verify/", {"note": "Audited 10 batches"})
    action.refresh_from_db()
    assert (action.verified_by, action.is_verified) == ("boss", True)
    client.force_login(world.acme_staff)
    assert client.post(f"{url}revise/", {**revised, "occurrence": "11"}).status_code == 302
    item.refresh_from_db()
    assert not item.is_revised  # 11 is refused with a message, nothing written
    client.post(f"{url}revise/", revised)
    item.refresh_from_db()
    assert (item.revised_severity, item.revised_ap, item.revised_rpn) == (3, "L", 18)
    assert (item.ap, item.current_ap) == ("M", "L")
    log = RatingLog.objects.filter(item=item).first()
    assert (log.kind, log.action, log.reason, log.rated_by) == (
        RatingKind.REVISED,
        action,
        "Both sites print one layout",
        "acme-staff",
    )
