"""Failed sign-ins are throttled per account and per address (django-axes, 5 failures, 15 min)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_user

PASSWORD = "x-long-password"  # make_user's
LOCKED = "Too many failed sign-ins"


@pytest.fixture
def users(db):
    return {name: make_user(name) for name in ("victim", "attacker", "bystander")}


def sign_in(client, username, password, address):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_five_failures_lock_the_account_with_a_clear_page(client, users):
    for _ in range(4):
        response = sign_in(client, "victim", "wrong", "10.0.0.1")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, "victim", "wrong", "10.0.0.1")
    assert response.status_code == 429
    # Even the right password is refused now, with a message, not a 500.
    response = sign_in(client, "victim", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED in text and "15 minutes" in text and "Traceback" not in text
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_every_address(client, users):
    for n in range(5):
        sign_in(client, "victim", "wrong", f"10.0.1.{n}")
    assert sign_in(client, "victim", PASSWORD, "10.0.9.9").status_code == 429
    # Another account from a fresh address is not affected.
    assert signed_in(sign_in(client, "bystander", PASSWORD, "10.0.9.8"))


def test_an_address_is_locked_for_every_account(client, users):
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong", "10.0.2.1")
    assert sign_in(client, "bystander", PASSWORD, "10.0.2.1").status_code == 429
    assert signed_in(sign_in(client, "bystander", PASSWORD, "10.0.2.2"))


def test_a_success_elsewhere_does_not_reset_the_counters(client, users):
    """An attacker cannot rotate: neither the victim's sign-in from elsewhere nor the attacker's
    own successful sign-in from the attacking address clears a counter."""
    for _ in range(4):
        sign_in(client, "victim", "wrong", "10.0.3.1")
    assert signed_in(sign_in(client, "victim", PASSWORD, "10.0.3.2"))
    client.logout()
    assert signed_in(sign_in(client, "attacker", PASSWORD, "10.0.3.1"))
    client.logout()
    assert sign_in(client, "victim", "wrong", "10.0.3.1").status_code == 429
    assert sign_in(client, "victim", PASSWORD, "10.0.3.1").status_code == 429


def test_the_lock_lapses_after_the_cool_off(client, users):
    for _ in range(5):
        sign_in(client, "victim", "wrong", "10.0.4.1")
    assert sign_in(client, "victim", PASSWORD, "10.0.4.1").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert signed_in(sign_in(client, "victim", PASSWORD, "10.0.4.1"))


def test_admin_sees_and_clears_a_lockout(client, users):
    for n in range(5):
        sign_in(client, "victim", "wrong", f"10.0.5.{n}")
    admin = make_user("cmo-admin", admin=True)
    admin_client = type(client)()
    admin_client.force_login(admin)
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "victim" in page.content.decode()
    out = StringIO()
    call_command("axes_reset_username", "victim", stdout=out)
    assert signed_in(sign_in(client, "victim", PASSWORD, "10.0.5.9"))


def test_behind_a_proxy_the_address_it_saw_counts(client, users, settings):
    """X-Forwarded-For entries the client wrote itself cannot dodge the per-address lock."""
    settings.TOWER_PROXY_HOPS = 1
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"guess-{n}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "bystander", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    assert response.status_code == 429
    other = client.post(
        "/accounts/login/",
        {"username": "bystander", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert signed_in(other)


def test_a_forged_forwarded_address_is_not_trusted_nor_a_500(client, users, settings):
    settings.TOWER_PROXY_HOPS = 1
    response = client.post(
        "/accounts/login/",
        {"username": "victim", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
