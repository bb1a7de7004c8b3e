"""The agreement's early-warning settings (kpis.md 8): defaults, bounds, the service (CMO admins
only, audited, nothing written on a bad value), the database's own bound, and the section of the
Agreements page (an admin edits, everyone else who may see the client reads, another client's
address is not found, bad input is a message and never a 500)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import Role, make_user
from tower.agreements.models import EARLY_WARNING_DEFAULTS, EarlyWarningSettings
from tower.agreements.services import early_warning_of, set_early_warning
from tower.workflow import NotAllowed, WorkflowError

URL = "/agreements/ACME/early-warning/"
PAGE = "/agreements/ACME/"
# kpis.md 8: production end 5 days after start, QC release 7 after production end, ship 2 after
# release, transit 5, tight 2, planning horizon 14.
DEFAULTS = {
    "production_days": 5,
    "release_days": 7,
    "ship_days": 2,
    "transit_days": 5,
    "tight_days": 2,
    "horizon_days": 14,
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(db):
    return make_user("boss", admin=True)


def test_a_client_without_settings_gets_the_defaults_of_kpis_md(acme):
    assert EARLY_WARNING_DEFAULTS == DEFAULTS
    settings = early_warning_of(acme)
    assert settings.pk is None and settings.values() == DEFAULTS


def test_an_admin_sets_some_settings_the_others_keep_theirs_and_it_is_audited(acme, admin):
    set_early_warning(client=acme, values={"transit_days": 9}, user=admin, reason="sea freight")
    set_early_warning(client=acme, values={"tight_days": 0, "horizon_days": 30}, user=admin)
    stored = EarlyWarningSettings.objects.get(client=acme)
    assert stored.values() == DEFAULTS | {"transit_days": 9, "tight_days": 0, "horizon_days": 30}
    history = list(stored.history.order_by("history_id"))
    assert [(h.transit_days, h.horizon_days) for h in history] == [(9, 14), (9, 30)]
    assert history[0].history_user == admin and history[0].history_change_reason == "sea freight"


def test_saving_the_values_in_force_writes_no_history(acme, admin):
    set_early_warning(client=acme, values={"ship_days": 3}, user=admin)
    set_early_warning(client=acme, values={"ship_days": 3, "release_days": 7}, user=admin)
    assert EarlyWarningSettings.history.count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"transit_days": 366}, "transit_days must be between 0 and 365 days."),
        ({"tight_days": -1}, "tight_days must be between 0 and 365 days."),
        ({"horizon_days": 1.5}, "horizon_days must be a whole number of days."),
        ({"horizon_days": "14"}, "horizon_days must be a whole number of days."),
        ({"ship_days": True}, "ship_days must be a whole number of days."),
        ({"lead_days": 3}, "Unknown early-warning setting lead_days"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(acme, admin, values, message):
    with pytest.raises(WorkflowError, match=message.replace(".", r"\.")):
        set_early_warning(client=acme, values={"production_days": 6, **values}, user=admin)
    assert not EarlyWarningSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.CMO_STAFF, Role.CLIENT_VIEWER, Role.CLIENT_APPROVER])
def test_only_cmo_admins_change_them(acme, role):
    with pytest.raises(NotAllowed):
        set_early_warning(client=acme, values={"transit_days": 1}, user=make_user("u", acme, role))
    assert not EarlyWarningSettings.objects.exists()


def test_the_database_refuses_a_value_past_365_too(acme):
    with pytest.raises(IntegrityError), transaction.atomic():
        EarlyWarningSettings.objects.create(client=acme, horizon_days=366)


# --- the Agreements page ---------------------------------------------------------------------


def posted(**changes) -> dict:
    return {k: str(v) for k, v in (DEFAULTS | changes).items()} | {"reason": "new carrier"}


def test_the_admin_sees_the_form_and_saves_it(acme, admin, client):
    client.force_login(admin)
    page = client.get(PAGE).content.decode()
    assert 'id="early-warning-form"' in page and 'name="transit_days"' in page
    response = client.post(URL, posted(transit_days=8, tight_days=3), follow=True)
    assert response.redirect_chain[-1][0] == PAGE + "#early-warning"
    page = response.content.decode()
    assert (
        "Early-warning settings saved: Default transit 5 → 8 days; Tight within 2 → 3 days." in page
    )
    assert early_warning_of(acme).values() == DEFAULTS | {"transit_days": 8, "tight_days": 3}
    # The history of the agreement names the change and its reason.
    history = page.split('id="agreement-history"')[1]
    assert "Early-warning settings" in history and "new carrier" in history


def test_saving_unchanged_says_so(acme, admin, client):
    client.force_login(admin)
    response = client.post(URL, posted(), follow=True)
    assert "Nothing changed: the early-warning settings are as they were." in (
        response.content.decode()
    )
    assert not EarlyWarningSettings.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("366", "Ensure this value is less than or equal to 365."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("1e9", "Enter a whole number."),
        ("nan", "Enter a whole number."),
        ("five", "Enter a whole number."),
        ("9" * 400, "Ensure this value is less than or equal to 365."),
        ("", "This field is required."),
    ],
)
def test_bad_input_is_a_message_and_nothing_is_saved(acme, admin, client, value, message):
    client.force_login(admin)
    response = client.post(URL, posted(horizon_days=value), follow=True)
    assert response.status_code == 200
    assert f"Planning horizon (days): {message}" in response.content.decode()
    assert not EarlyWarningSettings.objects.exists()


def test_a_reason_too_long_is_refused(acme, admin, client):
    client.force_login(admin)
    response = client.post(URL, posted() | {"reason": "x" * 101}, follow=True)
    assert "Reason for the change: Ensure this value has at most 100 characters" in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", [Role.CLIENT_VIEWER, Role.CLIENT_APPROVER, Role.CMO_STAFF])
def test_everyone_else_reads_the_settings_and_may_not_post(acme, client, role):
    set_early_warning(client=acme, values={"horizon_days": 21}, user=make_user("boss", admin=True))
    client.force_login(make_user("u", acme, role))
    page = client.get(PAGE).content.decode()
    assert 'id="early-warning-form"' not in page
    settings = page.split('id="early-warning-settings"')[1].split("</dl>")[0]
    assert "<dt>Planning horizon</dt><dd>21 days" in settings and "(default 14)" in settings
    assert "<dt>Default transit</dt><dd>5 days <span" in settings
    assert client.post(URL, posted(horizon_days=1)).status_code == 403
    assert early_warning_of(acme).horizon_days == 21


def test_another_clients_settings_are_not_found(acme, globex, client):
    client.force_login(make_user("u", acme, Role.CLIENT_VIEWER))
    for url in ("/agreements/GLOBEX/early-warning/", "/agreements/NOPE/early-warning/"):
        assert client.post(url, posted(horizon_days=1)).status_code == 404
    assert client.get("/agreements/GLOBEX/").status_code == 404
    assert not EarlyWarningSettings.objects.exists()


def test_the_step_answers_post_only_and_anonymous_visitors_sign_in(acme, admin, client):
    response = client.post(URL, posted())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(admin)
    assert client.get(URL).status_code == 405
