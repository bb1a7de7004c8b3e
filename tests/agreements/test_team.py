"""The service agreement's team and counterpart matrix: the rules of the service (who changes
which side, e-mail and phone checks, bounds, one person once per function and side, audited),
the matrix, the team section of the agreement page, the person page and "who to call"."""

from __future__ import annotations

import pytest

from tests.conftest import Role, make_user
from tower.agreements.models import TeamFunction, TeamMember, TeamSide
from tower.agreements.queries import counterpart_matrix
from tower.agreements.services import (
    add_team_member,
    clean_email,
    clean_phone,
    remove_team_member,
    team_sides_editable,
    update_team_member,
)
from tower.workflow import NotAllowed, WorkflowError

PAGE = "/agreements/ACME/"
ADD = "/agreements/ACME/team/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(acme, globex):
    return {
        "admin": make_user("boss", admin=True),
        "staff": make_user("anna", acme, Role.CMO_STAFF),
        "approver": make_user("carl", acme, Role.CLIENT_APPROVER),
        "viewer": make_user("vera", acme, Role.CLIENT_VIEWER),
        "globex_staff": make_user("gus", globex, Role.CMO_STAFF),
    }


def person(**overrides) -> dict:
    values = {
        "side": TeamSide.CMO,
        "function": TeamFunction.QUALITY,
        "name": "  Quinn   Quality ",
        "email": "Quinn@CMO.Example.com",
        "phone": "+49 30 1234-5678",
        "title": "Head of QA",
    }
    return values | overrides


# --- the service ----------------------------------------------------------------------------


def test_the_cmo_changes_both_sides_a_client_approver_only_the_clients(acme, people):
    assert team_sides_editable(people["admin"], acme) == ["cmo", "client"]
    assert team_sides_editable(people["staff"], acme) == ["cmo", "client"]
    assert team_sides_editable(people["approver"], acme) == ["client"]
    assert team_sides_editable(people["viewer"], acme) == []
    assert team_sides_editable(people["globex_staff"], acme) == []
    add_team_member(client=acme, user=people["staff"], **person())
    add_team_member(
        client=acme, user=people["approver"], **person(side="client", email="q@acme.example")
    )
    with pytest.raises(NotAllowed):
        add_team_member(client=acme, user=people["approver"], **person(email="x@cmo.example"))
    with pytest.raises(NotAllowed):
        add_team_member(client=acme, user=people["viewer"], **person(side="client"))
    with pytest.raises(NotAllowed):
        add_team_member(client=acme, user=people["globex_staff"], **person(email="y@x.example"))
    cmo = TeamMember.objects.get(side="cmo")
    with pytest.raises(NotAllowed):  # a client approver cannot move the CMO's person either
        update_team_member(member=cmo, user=people["approver"], **person(side="client"))
    with pytest.raises(NotAllowed):
        remove_team_member(member=cmo, user=people["approver"])
    assert TeamMember.objects.count() == 2


def test_values_are_tidied_and_every_change_is_audited(acme, people):
    member = add_team_member(client=acme, user=people["staff"], reason="kick-off", **person())
    assert (member.name, member.email, member.phone) == (
        "Quinn Quality",
        "Quinn@cmo.example.com",
        "+49 30 1234-5678",
    )
    assert not update_team_member(member=member, user=people["staff"], **person())
    assert update_team_member(
        member=member, user=people["staff"], reason="new number", **person(phone="+49 30 999999")
    )
    remove_team_member(member=member, user=people["staff"], reason="left")
    history = list(TeamMember.history.order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert [h.history_change_reason for h in history] == ["kick-off", "new number", "left"]
    assert {h.history_user for h in history} == {people["staff"]}
    assert history[1].phone == "+49 30 999999"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+49 30 1234 5678", "+49 30 1234 5678"),
        ("(030) 1234-5678", "(030) 1234-5678"),
        ("+1.617.555.0100 ext 12", "+1.617.555.0100 ext 12"),
        ("  +44  20 7946 0000 ", "+44 20 7946 0000"),
        ("", ""),
    ],
)
def test_phone_numbers_as_people_write_them(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("call me", "not a phone number"),
        ("12345", "6 to 20 digits"),
        ("+49 30 <script>", "not a phone number"),
        ("1" * 33, "not a phone number"),
        ("+123456789012345678901", "6 to 20 digits"),
        ("=HYPERLINK(1)", "not a phone number"),
    ],
)
def test_what_is_not_a_phone_number_is_refused_with_the_reason(value, error):
    with pytest.raises(WorkflowError, match=error):
        clean_phone(value)


@pytest.mark.parametrize(
    "value", ["", "anna", "anna@", "@x.com", "a b@x.com", "a@x", "a@" + "x" * 260]
)
def test_what_is_not_an_e_mail_address_is_refused(value):
    with pytest.raises(WorkflowError):
        clean_email(value)


def test_bounds_unknown_choices_duplicates_and_foreign_sign_ins_are_refused(acme, globex, people):
    staff = people["staff"]
    cases = [
        (person(name=" "), "name"),
        (person(name="x" * 121), "at most 120"),
        (person(title="x" * 101), "at most 100"),
        (person(side="both"), "Unknown side"),
        (person(function="catering"), "Unknown function"),
        (person(linked_user=people["viewer"]), "not a CMO user"),  # a client user, CMO side
        (person(side="client", linked_user=people["staff"]), "not a client user"),
        (person(linked_user=people["globex_staff"]), "not a CMO user"),  # another client's
    ]
    for values, error in cases:
        with pytest.raises(WorkflowError, match=error):
            add_team_member(client=acme, user=staff, **values)
    add_team_member(client=acme, user=staff, linked_user=staff, **person())
    with pytest.raises(WorkflowError, match="already named for Quality"):
        add_team_member(client=acme, user=staff, **person(email="quinn@cmo.example.com"))
    # The same person can serve two functions, and the other side or client is another row.
    add_team_member(client=acme, user=staff, **person(function="technical"))
    add_team_member(client=acme, user=staff, **person(side="client"))
    add_team_member(client=globex, user=people["admin"], **person())
    assert TeamMember.objects.filter(client=acme).count() == 3


def test_the_matrix_pairs_each_functions_people_leads_first(acme, people):
    staff = people["staff"]
    add_team_member(client=acme, user=staff, **person(function="supply_chain", name="Zed Lead"))
    add_team_member(
        client=acme,
        user=staff,
        **person(function="supply_chain", name="Amy Deputy", email="amy@cmo.example", deputy=True),
    )
    add_team_member(
        client=acme, user=staff, **person(side="client", function="supply_chain", name="Cleo")
    )
    add_team_member(client=acme, user=staff, **person(function="project", name="Pia"))
    rows = counterpart_matrix(acme)
    assert [r.function for r in rows] == ["project", "supply_chain"]  # TeamFunction's order
    assert [m.name for m in rows[1].cmo] == ["Zed Lead", "Amy Deputy"]
    assert [m.name for m in rows[1].client] == ["Cleo"]
    assert rows[0].client == []


# --- the pages ------------------------------------------------------------------------------


def form(**overrides) -> dict:
    return {k: v for k, v in person(**overrides).items()} | {"reason": "agreed at kick-off"}


def test_the_agreement_page_shows_the_matrix_and_the_cmo_adds_a_person(client, acme, people):
    client.force_login(people["staff"])
    page = client.get(PAGE)
    assert page.status_code == 200 and "No team named yet" in page.content.decode()
    response = client.post(ADD, form())
    assert response.status_code == 302 and response["Location"] == PAGE + "#team"
    page = client.get(PAGE).content.decode()
    assert 'id="counterpart-matrix"' in page and "Quinn Quality" in page
    assert 'href="tel:+4930123-45678"' not in page and 'href="tel:+49301234-5678"' in page
    assert "Quinn Quality added to the team" in page


def test_bad_input_is_a_message_and_nothing_is_written(client, acme, people):
    client.force_login(people["staff"])
    for data, words in [
        (form(email="not-an-address"), "E-mail"),
        (form(phone="call me"), "not a phone number"),
        (form(name="x" * 500), "Name"),
        (form(function="catering"), "Function"),
        (form(side="both"), "Side"),
        (form(linked_user="987654"), "Sign-in"),
        ({}, "This field is required"),
    ]:
        response = client.post(ADD, data, follow=True)
        assert response.status_code == 200, data
        body = response.content.decode()
        assert "Nobody was added" in body or words in body, data
        assert words in body, (data, words)
    assert not TeamMember.objects.exists()


def test_a_client_approver_adds_their_own_side_only(client, acme, people):
    client.force_login(people["approver"])
    page = client.get(PAGE).content.decode()
    assert 'id="team-add"' in page and 'name="side" value="client"' in page
    client.post(ADD, form(side="client", email="carl@acme.example"))
    response = client.post(ADD, form(email="hack@cmo.example"), follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert list(TeamMember.objects.values_list("side", flat=True)) == ["client"]


def test_a_viewer_reads_and_cannot_change(client, acme, people):
    member = add_team_member(client=acme, user=people["staff"], **person())
    client.force_login(people["viewer"])
    page = client.get(PAGE).content.decode()
    assert "Quinn Quality" in page and 'id="team-add"' not in page
    assert f"/team/{member.pk}/" not in page  # no "Change" link
    assert client.post(ADD, form(side="client")).status_code == 403
    url = f"/agreements/ACME/team/{member.pk}/"
    detail = client.get(url)
    assert detail.status_code == 200 and 'id="team-member-form"' not in detail.content.decode()
    assert client.post(url, form(name="Hacked")).status_code == 403
    assert client.post(url + "remove/").status_code == 403
    member.refresh_from_db()
    assert member.name == "Quinn Quality"


def test_the_person_page_changes_and_removes_a_person(client, acme, people):
    member = add_team_member(client=acme, user=people["staff"], **person())
    client.force_login(people["staff"])
    url = f"/agreements/ACME/team/{member.pk}/"
    page = client.get(url).content.decode()
    assert 'value="Quinn Quality"' in page and "Head of QA" in page
    bad = client.post(url, form(phone="12"))
    assert bad.status_code == 200 and "6 to 20 digits" in bad.content.decode()
    response = client.post(url, form(name="Quinn Q. Quality", linked_user=str(people["staff"].pk)))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.user) == ("Quinn Q. Quality", people["staff"])
    response = client.post(url + "remove/", {"reason": "left the company"}, follow=True)
    assert "removed from the team" in response.content.decode()
    assert not TeamMember.objects.exists()
    history = client.get(PAGE)
    assert history.status_code == 200


def test_who_to_call_shows_a_client_user_their_counterparts(client, acme, globex, people):
    add_team_member(client=acme, user=people["staff"], **person(function="supply_chain"))
    add_team_member(
        client=acme,
        user=people["staff"],
        linked_user=people["viewer"],
        **person(side="client", function="supply_chain", name="Vera V", email="vera@acme.example"),
    )
    add_team_member(client=globex, user=people["admin"], **person(name="Globex person"))
    client.force_login(people["viewer"])
    page = client.get("/who-to-call/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="who-to-call"' in body
    assert "Call at the CMO" in body and "Quinn Quality" in body and "Globex" not in body
    assert "You are named for Supply chain" in body
    assert 'href="/who-to-call/"' in body  # in the navigation
    assert client.get("/who-to-call/?client=GLOBEX").status_code == 404
    # The CMO chooses among its clients.
    client.force_login(people["admin"])
    body = client.get("/who-to-call/").content.decode()
    assert 'id="who-to-call-clients"' in body and "GLOBEX" in body
    body = client.get("/who-to-call/?client=GLOBEX").content.decode()
    assert "Globex person" in body and "Quinn Quality" not in body


def test_who_to_call_without_a_team_says_so(client, acme, people):
    client.force_login(people["viewer"])
    body = client.get("/who-to-call/").content.decode()
    assert "No team is named for Acme Pharma yet" in body
