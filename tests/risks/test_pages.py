"""The risk pages: the register with its heat maps, one risk, the steps, the downloads (opened
with openpyxl and pypdf), the fragment; isolation and bounded queries."""

import io

import openpyxl
import pypdf
import pytest
from django.test import Client as WebClient

from tower.risks import services
from tower.risks.models import Risk


@pytest.fixture
def web():
    return WebClient()


@pytest.fixture
def register(project, people):
    """One risk of every colour, and one overdue review."""
    staff = people["staff"]

    def record(title, p, i, **extra):
        return services.record_risk(
            project=project, title=title, owner="PM", probability=p, impact=i, user=staff, **extra
        )

    import datetime as dt

    red = record("Red one", 5, 5)
    yellow = record("Yellow one", 3, 3)
    low = record("Low one", 1, 1, today=dt.date(2020, 1, 1))  # reviewed long ago: overdue
    grey = record("Grey one", 4, 4)
    action = services.add_action(risk=grey, title="Fix it", owner="QA", user=staff)
    services.close_action(action=action, user=staff)
    services.rerate_risk(risk=grey, probability=1, impact=2, user=staff)
    return {"red": red, "yellow": yellow, "none": low, "grey": grey}


def test_the_register_shows_every_colour_and_heat_maps(web, project, register, people):
    web.force_login(people["viewer"])
    response = web.get(f"/risks/project/{project.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    colours = {r.title: r.colour for r in response.context["rows"]}
    assert colours == {"Red one": "red", "Yellow one": "yellow", "Low one": "", "Grey one": "grey"}
    assert response.context["counts"] == {
        "red": 1,
        "yellow": 1,
        "grey": 1,
        "none": 1,
        "overdue": 1,
    }
    inherent = response.context["maps"]["inherent"]
    assert inherent[0]["probability"] == 5 and inherent[0]["cells"][4]["risks"] == [1]
    residual = response.context["maps"]["residual"]
    assert residual[4]["cells"][1]["risks"] == [4]  # grey re-rated to (1, 2)
    assert "Heat map: residual rating" in body
    only_red = web.get(f"/risks/project/{project.pk}/?colour=red").context["rows"]
    assert [r.title for r in only_red] == ["Red one"]
    overdue = web.get(f"/risks/project/{project.pk}/?overdue=1").context["rows"]
    assert [r.title for r in overdue] == ["Low one"]
    assert web.get("/risks/?colour=grey").context["page_obj"].paginator.count == 1


def test_the_fragment_summarises(web, project, register, people):
    web.force_login(people["viewer"])
    body = web.get(f"/risks/project/{project.pk}/summary/").content.decode()
    assert "1 red" in body and "1 grey" in body and "review overdue" in body
    assert "<html" not in body


def test_the_downloads_hold_the_register(web, project, register, people):
    web.force_login(people["approver"])
    book = openpyxl.load_workbook(
        io.BytesIO(web.get(f"/risks/project/{project.pk}/export.xlsx").content)
    )
    rows = list(book["Risk register"].iter_rows(min_row=6, values_only=True))
    assert [(r[0], r[5], r[6]) for r in rows] == [
        ("R1", "Very high", "Red"),
        ("R2", "Medium", "Yellow"),
        ("R3", "Low", "No colour"),
        ("R4", "High", "Grey"),
    ]
    assert rows[2][15] == "yes"  # the overdue review
    assert list(book["Plan actions"].iter_rows(min_row=2, values_only=True))[0][:2] == (
        "R4",
        "Fix it",
    )
    pdf = web.get(f"/risks/project/{project.pk}/export.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Red one" in text and "Grey" in text and "OVERDUE" in text
    assert web.get(f"/risks/project/{project.pk}/export.docx").status_code == 404


def test_invalid_ratings_on_the_page_are_clear(web, project, people):
    web.force_login(people["staff"])
    for p, i, message in [
        ("0", "3", "Probability must be from 1 to 5; got 0"),
        ("6", "3", "Probability must be from 1 to 5; got 6"),
        ("high", "3", "Probability must be a whole number from 1 to 5"),
    ]:
        response = web.post(
            f"/risks/project/{project.pk}/new/",
            {"title": "x", "owner": "y", "probability": p, "impact": i},
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Risk.objects.exists()


def test_client_users_comment_and_cannot_rate(web, register, people):
    risk = register["red"]
    web.force_login(people["viewer"])
    assert (
        web.post(f"/risks/{risk.pk}/rate/", {"probability": "1", "impact": "1"}).status_code == 403
    )
    web.post(f"/risks/{risk.pk}/comments/", {"text": "When is the audit?"})
    assert risk.comments.get().author == people["viewer"]
    body = web.get(f"/risks/{risk.pk}/").content.decode()
    assert "When is the audit?" in body and "Re-rate after the plan" not in body


def test_bounded_queries(web, project, register, people, django_assert_max_num_queries):
    web.force_login(people["staff"])
    risk = register["grey"]
    urls = [
        "/risks/",
        f"/risks/project/{project.pk}/",
        f"/risks/project/{project.pk}/summary/",
        f"/risks/{risk.pk}/",
        f"/risks/project/{project.pk}/export.xlsx",
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(25) as queries:
            web.get(url)
        counts[url] = len(queries)
    for n in range(8):
        extra = services.record_risk(
            project=project,
            title=f"r{n}",
            owner="o",
            probability=2,
            impact=2,
            user=people["staff"],
        )
        services.add_action(risk=extra, title="a", owner="o", user=people["staff"])
        services.add_action(risk=risk, title=f"a{n}", owner="o", user=people["staff"])
        services.add_risk_comment(risk=risk, text=f"c{n}", user=people["viewer"])
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            web.get(url)
