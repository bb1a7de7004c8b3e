"""The customer-lens FMEA: the services' rules, the backlog's order, the evidence beside O
(hand-computed on the web tests' world), the pages and exports by role, and bounded queries."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from tests.conftest import make_user
from tests.harmonisation.world import add_item, ratings
from tests.web.conftest import World
from tower.harmonisation import services
from tower.harmonisation.models import FmeaItem, RatingKind, RatingLog
from tower.harmonisation.queries import evidence, ranked
from tower.quality.models import Deviation
from tower.tenancy.models import Role
from tower.tenancy.scoping import SYSTEM
from tower.workflow import NotAllowed, WorkflowError

# ---------------------------------------------------------------------------------------------
# Services


def test_a_row_is_rated_with_s_the_highest_lens_ap_and_rpn_and_logged(acme):
    item = add_item(acme, r=(3, 8, 6, 5, 4), reason="First look")
    assert (item.severity, item.occurrence, item.detection) == (8, 5, 4)
    assert item.ap == "M"  # S 7-8, O 4-5, D 2-4
    assert item.rpn == 160
    (log,) = RatingLog.objects.filter(item=item)
    assert (log.kind, log.ap, log.rpn, log.reason, log.rated_by) == (
        RatingKind.INITIAL,
        "M",
        160,
        "First look",
        "system",
    )


@pytest.mark.parametrize("bad", [0, 11, "7", "high", 7.5, None])
def test_invalid_ratings_are_clear_errors_and_nothing_is_written(acme, bad):
    with pytest.raises(WorkflowError) as caught:
        add_item(acme, r=(3, bad, 6, 5, 4))
    assert str(caught.value).startswith("Severity (client) must be")
    assert FmeaItem.objects.count() == 0


def test_a_rating_needs_a_reason(acme):
    item = add_item(acme)
    with pytest.raises(WorkflowError, match="reason"):
        services.rate_item(user=SYSTEM, item=item, ratings=ratings(2, 2, 2, 2, 2), reason="  ")


def test_revised_ratings_are_refused_until_an_action_is_completed_and_verified(acme):
    item = add_item(acme, r=(7, 8, 6, 5, 4))
    action = services.add_action(
        user=SYSTEM, item=item, description="One template", owner="QA", due_date=dt.date(2026, 9, 1)
    )
    low = ratings(2, 3, 2, 2, 3)
    with pytest.raises(WorkflowError, match="not completed yet"):
        services.revise_item(user=SYSTEM, item=item, action=action, ratings=low, reason="done?")
    services.complete_action(user=SYSTEM, action=action, note="Template rolled out")
    with pytest.raises(WorkflowError, match="completed but not verified"):
        services.revise_item(user=SYSTEM, item=item, action=action, ratings=low, reason="done?")
    with pytest.raises(WorkflowError, match="someone other"):
        services.verify_action(user=SYSTEM, action=action, note="checked myself")
    item.refresh_from_db()
    assert not item.is_revised and item.ap == "M"
    verifier = make_user("qa-head", admin=True)
    services.verify_action(user=verifier, action=action, note="Audit of 10 batch records")
    services.revise_item(user=verifier, item=item, action=action, ratings=low, reason="Verified")
    item.refresh_from_db()
    assert (item.revised_severity, item.revised_ap, item.revised_rpn, item.ap) == (3, "L", 18, "M")
    assert item.current_ap == "L"
    kinds = list(RatingLog.objects.filter(item=item).values_list("kind", "rated_by", "action"))
    assert kinds == [
        (RatingKind.REVISED, "qa-head", action.pk),
        (RatingKind.INITIAL, "system", None),
    ]


def test_who_may_write(acme, globex):
    staff = make_user("acme-staff", acme, Role.CMO_STAFF)
    viewer = make_user("acme-viewer", acme, Role.CLIENT_VIEWER)
    mine = add_item(acme, user=staff)
    with pytest.raises(NotAllowed):
        add_item(None, user=staff)  # a row about every client: CMO admins only
    with pytest.raises(NotAllowed):
        add_item(globex, user=staff)
    with pytest.raises(NotAllowed):
        services.rate_item(user=viewer, item=mine, ratings=ratings(1, 1, 1, 1, 1), reason="x")


# ---------------------------------------------------------------------------------------------
# The backlog's order, hand-computed


def test_backlog_ranks_by_current_ap_then_s_o_d(acme):
    a = add_item(acme, r=(9, 9, 9, 2, 8))  # S9 O2 D8: H
    b = add_item(acme, r=(7, 7, 7, 9, 1))  # S7 O9 D1: H
    c = add_item(acme, r=(5, 5, 5, 9, 3))  # S5 O9 D3: M
    d = add_item(acme, r=(5, 5, 5, 9, 2))  # S5 O9 D2: M
    e = add_item(acme, r=(10, 10, 10, 1, 10))  # O1: L, although RPN 100
    f = add_item(acme, r=(8, 8, 8, 10, 10))  # H, would rank first...
    # ... but a verified action brought it down to S8 O2 D2: L, ranked after e (S 10 > 8).
    action = services.add_action(
        user=SYSTEM, item=f, description="x", owner="QA", due_date=dt.date(2026, 1, 1)
    )
    services.complete_action(user=SYSTEM, action=action, note="done")
    services.verify_action(user=make_user("qa", admin=True), action=action, note="seen")
    services.revise_item(
        user=SYSTEM, item=f, action=action, ratings=ratings(8, 8, 8, 2, 2), reason="v"
    )
    order = list(ranked(FmeaItem.objects.all()).values_list("pk", flat=True))
    assert order == [a.pk, b.pk, c.pk, d.pk, e.pk, f.pk]


# ---------------------------------------------------------------------------------------------
# Evidence beside O, on the web tests' world (lines due March and April 2026):
#   ACME   EU1 SO-1002 failed, MFG-EQUIPMENT (manufacturing), in the closed March
#          US1 SO-1003 short, CLI-ORDER-CHANGE (client); US1 SO-1006 open, unclassified
#   GLOBEX the same, and EU1 SO-1004 one day late (no grace), unclassified


def _deviation(client, number, site, area, opened):
    from tower.masterdata.models import Site

    return Deviation.objects.create(
        client=client,
        number=number,
        site=Site.objects.get(code=site),
        area_id=area,
        opened_date=opened,
        severity="minor",
    )


@pytest.fixture
def evidence_world(world: World):
    _deviation(world.acme, "A1", "EU1", "manufacturing", dt.date(2026, 3, 5))  # counted
    _deviation(world.acme, "A2", "EU1", "quality", dt.date(2026, 4, 30))  # counted
    _deviation(world.acme, "A3", "US1", "manufacturing", dt.date(2026, 4, 1))  # other site
    _deviation(world.acme, "A4", "EU1", "shipping", dt.date(2026, 4, 1))  # other area
    _deviation(world.acme, "A5", "EU1", "manufacturing", dt.date(2026, 2, 28))  # before
    _deviation(world.globex, "G1", "EU1", "quality", dt.date(2026, 3, 9))  # GLOBEX's
    everyone = add_item(None, area="batch_records", at=("EU1",))
    acme_only = add_item(world.acme, area="batch_records", at=("EU1",))
    shipping = add_item(None, area="shipping", at=("EU1", "US1"), difference="Pallet labels")
    return world, everyone, acme_only, shipping


def _evidence(items, clients):
    rows = list(FmeaItem.objects.filter(pk__in=[i.pk for i in items]).prefetch_related("sites"))
    deviations = Deviation.objects.filter(client__in=[c.pk for c in clients])
    return evidence(rows, deviations, clients, dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_evidence_counts_hand_computed(evidence_world):
    world, everyone, acme_only, shipping = evidence_world
    found = _evidence([everyone, acme_only, shipping], [world.acme, world.globex])
    # Batch records = manufacturing + quality at EU1: A1, A2, G1; failed: both SO-1002.
    assert (found[everyone.pk].deviations, found[everyone.pk].failed_lines) == (3, 2)
    assert (found[acme_only.pk].deviations, found[acme_only.pk].failed_lines) == (2, 1)
    # Shipping at EU1 and US1: A4 (April); no failed line traced to shipping.
    assert (found[shipping.pk].deviations, found[shipping.pk].failed_lines) == (1, 0)
    # A reader who sees ACME only counts ACME's records on a CMO-wide row.
    acme_view = _evidence([everyone], [world.acme])
    assert (acme_view[everyone.pk].deviations, acme_view[everyone.pk].failed_lines) == (2, 1)


# ---------------------------------------------------------------------------------------------
# Pages and exports


def test_pages_by_role(evidence_world, client):
    world, everyone, acme_only, _ = evidence_world
    globex_row = add_item(world.globex, difference="Globex Therapeutics only")
    client.force_login(world.admin)
    page = client.get("/harmonisation/?from=2026-03&to=2026-04").content.decode()
    assert page.count('data-row="') == 4
    assert "Globex Therapeutics only" in page
    # CMO staff of ACME: ACME's rows and the CMO-wide ones, never GLOBEX's.
    for user, expected in (
        (world.acme_staff, {everyone.pk, acme_only.pk}),
        (world.acme_viewer, {acme_only.pk}),
        (world.globex_viewer, {globex_row.pk}),
    ):
        client.force_login(user)
        response = client.get("/harmonisation/?from=2026-03&to=2026-04")
        assert response.status_code == 200
        html = response.content.decode()
        shown = {r.pk for r in FmeaItem.objects.all() if f'data-row="{r.pk}"' in html}
        assert shown >= expected and len(shown) >= len(expected)
        if user is not world.globex_viewer:
            assert "globex" not in html.lower()
            for fmt in ("csv", "xlsx"):
                download = client.get(f"/harmonisation/export.{fmt}?from=2026-03&to=2026-04")
                assert download.status_code == 200
                assert "globex" not in _text(download, fmt).lower()
        assert client.get(f"/harmonisation/{globex_row.pk}/").status_code == (
            200 if user is world.globex_viewer else 404
        )
    client.force_login(world.acme_viewer)
    assert client.get(f"/harmonisation/{everyone.pk}/").status_code == 404
    assert client.get(f"/harmonisation/{acme_only.pk}/").status_code == 200
    # A client user may look but not rate: 403 on a step.
    response = client.post(
        f"/harmonisation/{acme_only.pk}/rate/", {**_posted(1, 1, 1, 1, 1), "reason": "no"}
    )
    assert response.status_code == 403


def _posted(*values):
    return {k: str(v) for k, v in ratings(*values).items()}


def _text(response, fmt):
    if fmt == "csv":
        return response.content.decode()
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)


def test_export_follows_the_backlog_order_with_its_evidence(evidence_world, client):
    world, everyone, acme_only, shipping = evidence_world
    client.force_login(world.admin)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/harmonisation/export.csv?from=2026-03&to=2026-04").content.decode()
            )
        )
    )
    assert [int(r["rank"]) for r in rows] == [1, 2, 3]
    by_diff = {r["difference"]: r for r in rows}
    assert by_diff[everyone.difference]["deviations"] == "3"
    assert by_diff[everyone.difference]["failed_lines"] == "2"


def test_steps_through_the_pages_and_bad_input(world, client):
    item = add_item(world.acme)
    client.force_login(world.acme_staff)
    bad = client.post(
        f"/harmonisation/{item.pk}/rate/",
        {**_posted(1, 1, 1, 1, 1), "occurrence": "11", "reason": "x"},
        follow=True,
    )
    assert bad.status_code == 200 and "Nothing was changed" in bad.content.decode()
    text = client.post(
        f"/harmonisation/{item.pk}/rate/",
        {**_posted(1, 1, 1, 1, 1), "detection": "abc", "reason": "x"},
        follow=True,
    )
    assert "whole number from 1 to 10" in text.content.decode()
    client.post(
        f"/harmonisation/{item.pk}/actions/",
        {"description": "One template", "owner": "QA", "due_date": "2020-01-31"},
    )
    action = item.actions.get()
    page = client.get(f"/harmonisation/{item.pk}/").content.decode()
    assert "overdue" in page
    assert client.get("/harmonisation/?overdue=1").content.decode().count('data-row="') == 1
    refused = client.post(
        f"/harmonisation/{item.pk}/revise/",
        {**_posted(1, 1, 1, 1, 1), "action": str(action.pk), "reason": "early"},
        follow=True,
    )
    assert "only once an action is completed and verified" in refused.content.decode()
    item.refresh_from_db()
    assert not item.is_revised
    assert client.get("/harmonisation/?from=2026-13").status_code == 400
    assert client.get("/harmonisation/?area=nope").status_code == 400


def test_the_backlog_runs_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    for n in range(3):
        add_item(world.acme if n % 2 else None, r=(n + 1, 5, 5, 5, 5))
    with django_assert_max_num_queries(14) as few:
        assert client.get("/harmonisation/").status_code == 200
    for n in range(30):
        add_item(world.acme if n % 2 else None, r=(n % 10 + 1, 5, 5, 5, 5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/harmonisation/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        assert client.get("/harmonisation/export.xlsx").status_code == 200
