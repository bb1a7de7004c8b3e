"""The improvement and lessons pages: what each role sees, the tollgate form, filters,
pagination and empty states, bad input (400 or a form error, never 500), isolation (another
client's project or lesson is a 404 on every page, fragment and download) and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

from tests.conftest import make_user
from tower.improvement import services
from tower.improvement.models import ImprovementProject, Lesson, Tollgate
from tower.masterdata.models import FunctionalArea
from tower.quality.models import Deviation

from .conftest import charter, go_through


@pytest.fixture
def both(acme_data, globex_data, people):
    """A project and a lesson of each client, and a CMO-wide lesson."""
    theirs = charter(
        globex_data,
        people,
        approvers=dict.fromkeys(
            ["define", "measure", "analyse", "improve", "control"], people["other_approver"]
        ),
        title="GLOBEX-SECRET project",
    )
    ours = charter(acme_data, people)
    deviation = Deviation.objects.create(
        client=acme_data, number="DEV-7", opened_date=dt.date(2026, 3, 2), severity="major"
    )
    lesson = services.record_lesson(
        client=acme_data,
        title="Check the label roll before the run",
        source="deviation",
        deviation=deviation,
        what_happened="Wrong label roll loaded",
        lesson="Second-person check of the roll",
        user=people["staff"],
    )
    other = services.record_lesson(
        client=globex_data,
        title="GLOBEX-SECRET lesson",
        source="other",
        what_happened="x",
        lesson="y",
        user=people["other_staff"],
    )
    wide = services.record_lesson(
        client=None,
        title="CMO-WIDE carrier lesson",
        source="escalation",
        reference="ESC-12",
        what_happened="A carrier missed pick-ups",
        lesson="Confirm each pick-up 48 hours ahead",
        user=people["admin"],
    )
    return {"ours": ours, "theirs": theirs, "lesson": lesson, "other": other, "wide": wide}


def signed_in(user) -> DjangoClient:
    client = DjangoClient()
    client.force_login(user)
    return client


def page_urls(objects) -> list[str]:
    p, lesson = objects["ours"].pk, objects["lesson"].pk
    return [
        reverse("improvement:project", args=[p]),
        reverse("improvement:trend_csv", args=[p]),
        reverse("improvement:lesson", args=[lesson]),
    ]


@pytest.mark.parametrize("role", ["staff", "viewer", "approver"])
def test_another_clients_project_and_lesson_are_not_found(both, people, role):
    web = signed_in(people[role])
    theirs = {"ours": both["theirs"], "lesson": both["other"]}
    for url in page_urls(theirs):
        assert web.get(url).status_code == 404, url
    for url in page_urls(both):
        assert web.get(url).status_code == 200, url
    gate = both["theirs"].tollgates.get(phase="define")
    posts = [
        (
            reverse("improvement:tollgate", args=[both["theirs"].pk]),
            {"phase": "define", "decision": "go"},
        ),
        (reverse("improvement:application_add", args=[both["other"].pk]), {"area": "quality"}),
        (
            reverse("improvement:spread", args=[both["other"].pk]),
            {"application": "1", "status": "spread"},
        ),
    ]
    for url, data in posts:
        assert web.post(url, data).status_code == 404, url
    gate.refresh_from_db()
    assert gate.decision == "pending"
    # Missing objects read the same.
    assert web.get(reverse("improvement:project", args=[987654])).status_code == 404
    assert web.get(reverse("improvement:lesson", args=[987654])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "viewer", "approver"])
def test_lists_show_only_the_users_client(both, people, role):
    web = signed_in(people[role])
    for name in ("improvement:projects", "improvement:lessons"):
        page = web.get(reverse(name)).content.decode()
        assert "GLOBEX-SECRET" not in page
        named = web.get(reverse(name), {"client": "GLOBEX"})
        unknown = web.get(reverse(name), {"client": "NOBODY"})
        assert named.status_code == unknown.status_code == 404
    lessons = web.get(reverse("improvement:lessons")).content.decode()
    assert "Check the label roll" in lessons
    # CMO-wide lessons are the CMO's: CMO staff see them, client users do not.
    assert ("CMO-WIDE carrier lesson" in lessons) == (role == "staff")
    wide = web.get(reverse("improvement:lesson", args=[both["wide"].pk]))
    assert wide.status_code == (200 if role == "staff" else 404)


def test_the_cmo_admin_sees_every_client(both, people):
    web = signed_in(people["admin"])
    page = web.get(reverse("improvement:projects")).content.decode()
    assert "GLOBEX-SECRET project" in page and "ACME: fewer late lines" in page
    lessons = web.get(reverse("improvement:lessons")).content.decode()
    assert "GLOBEX-SECRET lesson" in lessons and "CMO-WIDE carrier lesson" in lessons


def test_only_the_named_approver_sees_the_form_and_others_get_a_clear_refusal(both, people):
    project = both["ours"]
    url = reverse("improvement:project", args=[project.pk])
    page = signed_in(people["viewer"]).get(url).content.decode()
    assert 'id="tollgate-form"' not in page
    assert "decided by <strong>planner</strong>, its named approver" in page
    admin = signed_in(people["admin"])
    response = admin.post(
        reverse("improvement:tollgate", args=[project.pk]),
        {"phase": "define", "decision": "go"},
        follow=True,
    )
    assert "Only planner, named as the approver of the Define tollgate, may decide it." in (
        response.content.decode()
    )
    assert Tollgate.objects.get(project=project, phase="define").decision == "pending"
    planner = signed_in(people["staff"])
    assert 'id="tollgate-form"' in planner.get(url).content.decode()
    response = planner.post(
        reverse("improvement:tollgate", args=[project.pk]),
        {"phase": "define", "decision": "go", "decided_on": "2026-03-01"},
        follow=True,
    )
    assert "Define tollgate: go." in response.content.decode()
    project.refresh_from_db()
    assert project.phase == "measure"
    # Bad input: a clear message, nothing decided.
    response = signed_in(people["approver"]).post(
        reverse("improvement:tollgate", args=[project.pk]),
        {"phase": "measure", "decision": "maybe", "decided_on": "0000-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The tollgate was not decided" in response.content.decode()


def test_the_project_page_shows_the_trend_with_baseline_and_target(both, people):
    project = go_through(both["ours"], people, ["define", "measure", "analyse", "improve"])
    assert project.phase == "control"
    web = signed_in(people["viewer"])
    response = web.get(reverse("improvement:project", args=[project.pk]))
    page = response.content.decode()
    assert 'id="kpi-trend"' in page and "Baseline" in page
    chart = response.context["chart"]
    assert chart["target"] == 60.0 and chart["series"][1]["label"] == "Baseline"
    # March 2026 (the hand-checked month): gross OTIF 25 %.
    rows = {r["period"]: r["display"] for r in response.context["trend_rows"]}
    assert rows["2026-03"] == "25.0 %" and rows["2026-02"] == "no data"
    csv = web.get(reverse("improvement:trend_csv", args=[project.pk])).content.decode()
    assert csv.splitlines()[0] == "month,kpi,value,unit,baseline,target,status,of"
    assert "2026-03,Gross OTIF,25.0,%,25.0,60.0,red" in csv


def test_charter_form_errors_are_clear(both, people):
    web = signed_in(people["staff"])
    url = reverse("improvement:project_new") + "?client=ACME"
    assert web.get(url).status_code == 200
    data = {
        "title": "Faster release",
        "problem": "QC release late",
        "kpi": "no_such_kpi",
        "baseline": "80",
        "target": "95",
        "started_on": "2026-01-01",
        "sponsor": "QA head",
    } | {f"approver_{p}": "planner" for p in ("define", "measure", "analyse", "improve", "control")}
    response = web.post(url, data)
    assert response.status_code == 400
    assert "&#x27;no_such_kpi&#x27; is not a KPI of the catalogue" in response.content.decode()
    response = web.post(url, data | {"kpi": "qc_release_on_time", "target": "120"})
    assert "must be between 0.0 % and 100.0 %" in response.content.decode()
    response = web.post(url, data | {"kpi": "qc_release_on_time", "baseline": "nan"})
    assert response.status_code == 400
    response = web.post(url, data | {"kpi": "qc_release_on_time", "started_on": "3000-01-01"})
    assert response.status_code == 400 and "years 1900 to 2999" in response.content.decode()
    response = web.post(url, data | {"kpi": "qc_release_on_time"})
    assert response.status_code == 302
    made = ImprovementProject.objects.get(title="Faster release")
    assert made.client.code == "ACME" and made.tollgates.count() == 5
    # A client user cannot charter; another client in ?client= is a 404.
    assert signed_in(people["viewer"]).post(url, data).status_code == 200
    assert not ImprovementProject.objects.filter(title="Faster release", client__code="GLOBEX")
    assert web.get(reverse("improvement:project_new") + "?client=GLOBEX").status_code == 404


def test_recording_a_lesson_and_spreading_it(both, people):
    web = signed_in(people["staff"])
    response = web.post(
        reverse("improvement:lesson_new"),
        {
            "client": "ACME",
            "title": "Pre-book carriers",
            "source": "capa",
            "capa": "CAPA-404",
            "what_happened": "Late pick-up",
            "lesson": "Book two days ahead",
        },
    )
    assert response.status_code == 400
    assert "No CAPA &#x27;CAPA-404&#x27; for this client." in response.content.decode()
    response = web.post(
        reverse("improvement:lesson_new"),
        {
            "client": "ACME",
            "title": "Pre-book carriers",
            "source": "deviation",
            "deviation": "DEV-7",
            "what_happened": "Late pick-up",
            "lesson": "Book two days ahead",
        },
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get(title="Pre-book carriers")
    assert lesson.deviation.number == "DEV-7"
    url = reverse("improvement:lesson", args=[lesson.pk])
    web.post(reverse("improvement:application_add", args=[lesson.pk]), {"area": "shipping"})
    application = lesson.applications.get()
    response = web.post(
        reverse("improvement:spread", args=[lesson.pk]),
        {
            "application": application.pk,
            "status": "spread",
            "spread_on": "2026-04-02",
            "note": "Shift briefing",
        },
        follow=True,
    )
    assert "Process area Warehouse and shipping: spread." in response.content.decode()
    page = signed_in(people["viewer"]).get(url).content.decode()
    assert "Shift briefing" in page and 'id="spread-form"' not in page
    # A client user may not record where a lesson was spread.
    response = signed_in(people["viewer"]).post(
        reverse("improvement:spread", args=[lesson.pk]),
        {"application": application.pk, "status": "to_spread"},
    )
    assert response.status_code == 403
    # Another lesson's place named through this lesson's URL: not found.
    theirs = services.add_application(
        lesson=both["lesson"], area=FunctionalArea.objects.get(code="quality"), user=people["staff"]
    )
    response = web.post(
        reverse("improvement:spread", args=[lesson.pk]),
        {"application": theirs.pk, "status": "spread"},
    )
    assert response.status_code == 404


def test_filters_pagination_and_empty_states(acme_data, people, settings):
    web = signed_in(people["viewer"])
    empty = web.get(reverse("improvement:projects")).content.decode()
    assert "No improvement project yet." in empty
    assert "No lesson recorded yet." in web.get(reverse("improvement:lessons")).content.decode()
    for n in range(27):
        services.record_lesson(
            client=acme_data,
            title=f"Lesson {n:02d}",
            source="other",
            what_happened="x",
            lesson="y",
            user=people["staff"],
        )
    first = web.get(reverse("improvement:lessons"))
    assert "Page 1 of 2 · 27 lessons" in first.content.decode()
    assert "Page 2 of 2" in web.get(reverse("improvement:lessons"), {"page": 2}).content.decode()
    none = web.get(reverse("improvement:lessons"), {"source": "capa"}).content.decode()
    assert "No lesson matches these filters." in none
    titles = [
        lesson.title
        for lesson in web.get(reverse("improvement:lessons"), {"q": "Lesson 1"}).context["page_obj"]
    ]
    assert sorted(titles) == [f"Lesson {n}" for n in range(10, 20)]
    bad = web.get(reverse("improvement:projects"), {"phase": "celebrate", "sort": "x"})
    assert bad.status_code == 400 and "Some filters could not be read" in bad.content.decode()


def test_pages_keep_a_bounded_number_of_queries(both, people, django_assert_max_num_queries):
    for n in range(12):
        lesson = services.record_lesson(
            client=both["ours"].client,
            title=f"More {n}",
            source="other",
            what_happened="x",
            lesson="y",
            user=people["staff"],
        )
        for area in FunctionalArea.objects.order_by("code")[:3]:
            services.add_application(lesson=lesson, area=area, user=people["staff"])
    web = signed_in(people["staff"])
    urls = [
        reverse("improvement:projects"),
        reverse("improvement:lessons"),
        reverse("improvement:project", args=[both["ours"].pk]),
        reverse("improvement:lesson", args=[both["lesson"].pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(25):
            assert web.get(url).status_code == 200


def test_a_user_without_a_client_sees_empty_pages(db):
    web = signed_in(make_user("nobody"))
    assert web.get(reverse("improvement:projects")).status_code == 200
    assert web.get(reverse("improvement:lesson_new")).status_code == 200
    assert (
        "Lessons are recorded by the CMO"
        in web.get(reverse("improvement:lesson_new")).content.decode()
    )
