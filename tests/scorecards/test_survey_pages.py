"""The satisfaction survey page: a client's own people answer it for the last complete quarter
(or the current one) and can change their answers; the CMO reads the answers and their means
instead; nobody reaches another client's survey (404, as for a client that does not exist)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.web.conftest import GLOBEX_MARK, World, build_world
from tower.engine.periods import parse_period, quarter_of
from tower.scorecards.models import SurveyResponse
from tower.scorecards.services import submit_survey

RATINGS = {
    "delivery_reliability": 4,
    "communication": 3,
    "quality": 5,
    "responsiveness": 2,
    "overall": 4,
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import) -> World:
    """The two-client world of the web tests (tests/web/conftest.py)."""
    return build_world(acme, globex, write_csv, run_import)


def this_quarter():
    return quarter_of(timezone.localdate())


def last_quarter():
    return this_quarter().shifted(-1)


def answers(ratings=None, **extra) -> dict:
    data = {q: str(r) for q, r in (ratings or RATINGS).items()}
    return {**data, "comment": "A good quarter.", **extra}


def url(client_code: str = "ACME", period=None) -> str:
    return f"/survey/?client={client_code}&period={(period or last_quarter()).key}"


def checked(body: str, question: str) -> str | None:
    """The rating the page shows ticked for a question."""
    for tag in re.findall(rf'<input type="radio" name="{question}"[^>]*>', body):
        if " checked" in tag:
            return re.search(r'value="(\d)"', tag).group(1)
    return None


# ---------------------------------------------------------------------------------------------
# Client users answer


def test_a_client_user_answers_for_the_last_complete_quarter_by_default(world, client):
    client.force_login(world.acme_viewer)
    page = client.get("/survey/")
    assert page.status_code == 200
    assert page.context["period"] == last_quarter()
    body = page.content.decode()
    assert f"Satisfaction survey: {last_quarter().label}" in body
    # Five questions, each a fieldset of five labelled radio buttons 1 to 5.
    assert body.count('type="radio"') == 25
    assert body.count('<fieldset class="rating') == 5
    for question in RATINGS:
        assert re.search(
            rf'<label for="id_{question}_0"><input type="radio" name="{question}"', body
        )
    assert "Very satisfied" in body and "Very dissatisfied" in body
    # Both open quarters can be chosen.
    assert f'value="{this_quarter().key}"' in body and f'value="{last_quarter().key}"' in body

    response = client.post(url(), answers())
    assert response.status_code == 302 and response["Location"] == url()
    saved = SurveyResponse.objects.get(
        client=world.acme, user=world.acme_viewer, period=last_quarter().key
    )
    assert saved.ratings() == list(RATINGS.values()) and saved.comment == "A good quarter."
    assert saved.history.first().history_user == world.acme_viewer

    body = client.get(response["Location"]).content.decode()
    assert f"Thank you: your answers for {last_quarter().label} are saved" in body


def test_earlier_answers_come_back_for_editing_and_are_replaced(world, client):
    client.force_login(world.acme_approver)
    client.post(url(), answers())
    body = client.get(url()).content.decode()
    assert {q: checked(body, q) for q in RATINGS} == {q: str(r) for q, r in RATINGS.items()}
    assert "A good quarter." in body and "Save my changes" in body
    assert re.search(r'id="earlier".*?' + last_quarter().label, body, re.S)

    client.post(url(), answers({**RATINGS, "overall": 1}, comment="Worse on reflection."))
    rows = SurveyResponse.objects.filter(
        client=world.acme, user=world.acme_approver, period=last_quarter().key
    )
    assert rows.count() == 1
    assert rows.get().overall == 1 and rows.get().comment == "Worse on reflection."
    assert checked(client.get(url()).content.decode(), "overall") == "1"


def test_the_current_quarter_can_be_answered_too(world, client):
    client.force_login(world.acme_viewer)
    assert client.get(url(period=this_quarter())).status_code == 200
    assert client.post(url(period=this_quarter()), answers()).status_code == 302
    assert SurveyResponse.objects.filter(
        client=world.acme, user=world.acme_viewer, period=this_quarter().key
    ).exists()


def test_an_older_quarter_shows_the_answers_read_only(world, client):
    old = this_quarter().shifted(-3)
    submit_survey(
        client=world.acme, period=old, ratings=RATINGS, comment="Old news", user=world.acme_viewer
    )
    client.force_login(world.acme_viewer)
    page = client.get(url(period=old))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="radio"' not in body and "is closed" in body and "Old news" in body
    response = client.post(url(period=old), answers({**RATINGS, "overall": 1}), follow=True)
    assert "is closed" in response.content.decode()
    assert SurveyResponse.objects.get(period=old.key, user=world.acme_viewer).overall == 4


def test_missing_and_impossible_ratings_are_shown_and_nothing_is_saved(world, client):
    client.force_login(world.acme_viewer)
    data = answers()
    del data["quality"]
    data["overall"] = "6"
    page = client.post(url(), data)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your answers were not saved" in body and 'role="alert"' in body
    assert "Rate “Quality” from 1 to 5." in body
    assert "Select a valid choice" in body
    assert 'aria-invalid="true"' in body
    # What was answered stays ticked.
    assert checked(body, "communication") == "3"
    assert not SurveyResponse.objects.filter(
        user=world.acme_viewer, period=last_quarter().key
    ).exists()


# ---------------------------------------------------------------------------------------------
# The CMO reads


@pytest.mark.parametrize("who", ["acme_staff", "admin"])
def test_the_cmo_reads_the_answers_with_their_means_and_cannot_answer(world, client, who):
    submit_survey(
        client=world.acme,
        period=last_quarter(),
        ratings=RATINGS,
        comment="Shipping slipped twice",
        user=world.acme_viewer,
    )
    submit_survey(
        client=world.acme,
        period=last_quarter(),
        ratings=dict.fromkeys(RATINGS, 5),
        user=world.acme_approver,
    )
    client.force_login(getattr(world, who))
    page = client.get(f"/survey/?period={last_quarter().key}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="radio"' not in body and "<textarea" not in body
    assert "2 responses" in body and "Shipping slipped twice" in body
    # Per question: (4+5)/2, (3+5)/2, 5, (2+5)/2, (4+5)/2; all ten ratings: 43/10.
    assert re.search(r'data-survey-mean="ACME">4\.30 of 5<', body)
    for mean in ("4.50", "4.00", "5.00", "3.50"):
        assert f'<td class="num">{mean}</td>' in body
    assert "acme-viewer" in body and "acme-approver" in body

    before = SurveyResponse.objects.count()
    assert client.post(url(), answers()).status_code == 403
    assert SurveyResponse.objects.count() == before


def test_the_cmo_staff_of_one_client_sees_only_that_clients_answers(world, client):
    submit_survey(
        client=world.globex,
        period=last_quarter(),
        ratings=RATINGS,
        comment="globex answer",
        user=world.globex_viewer,
    )
    client.force_login(world.acme_staff)
    body = client.get(f"/survey/?period={last_quarter().key}").content.decode()
    assert GLOBEX_MARK not in body.lower()
    assert "No answers for" in body

    client.force_login(world.admin)
    body = client.get(f"/survey/?period={last_quarter().key}").content.decode()
    assert "globex answer" in body and "Acme Pharma" in body
    only_acme = client.get(url("ACME")).content.decode()
    assert "globex answer" not in only_acme


# ---------------------------------------------------------------------------------------------
# Tenancy and bad addresses


@pytest.mark.parametrize("who", ["acme_viewer", "acme_approver", "acme_staff"])
def test_another_clients_survey_is_not_found(world, client, who):
    client.force_login(getattr(world, who))
    for code in ("GLOBEX", "NO-SUCH-CLIENT"):
        assert client.get(url(code)).status_code == 404
        assert client.post(url(code), answers()).status_code == 404
    assert not SurveyResponse.objects.filter(client=world.globex, period=last_quarter().key)
    body = client.get("/survey/").content.decode()
    assert GLOBEX_MARK not in body.lower()


def test_a_globex_user_cannot_reach_acmes_survey(world, client):
    client.force_login(world.globex_viewer)
    assert client.get(url("ACME")).status_code == 404
    body = client.get("/survey/").content.decode()
    assert "acme" not in body.lower()


@pytest.mark.parametrize(
    "period, message",
    [
        ("2026-13", "is not a period"),
        ("2026-07", "is a month"),
        ("spring", "is not a period"),
        ("0000Q1", "is not a period"),
        ("9999Q1", "out of range"),
        ("9999Q4", "out of range"),  # every year after 2999 is (tower.engine.periods)
        ("2999Q1", "has not started yet"),
        ("%00", "is not a period"),
    ],
)
def test_a_bad_period_gives_a_readable_400(world, client, period, message):
    for user in (world.acme_viewer, world.admin):
        client.force_login(user)
        response = client.get(f"/survey/?period={period}")
        assert response.status_code == 400, (period, user)
        body = response.content.decode()
        assert "Some filters could not be read" in body and message in body


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for method in (client.get, client.post):
        response = method("/survey/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_survey_pages_run_a_bounded_number_of_queries(world, client):
    for user in (world.acme_viewer, world.admin):
        for period in (last_quarter(), *[this_quarter().shifted(-n) for n in range(2, 14)]):
            submit_survey(client=world.acme, period=period, ratings=RATINGS, user=world.acme_viewer)
            submit_survey(
                client=world.acme, period=period, ratings=RATINGS, user=world.acme_approver
            )
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url()).status_code == 200
        assert len(queries) <= 12, [q["sql"] for q in queries]


def test_a_period_key_round_trips():
    assert parse_period(last_quarter().key) == last_quarter()
