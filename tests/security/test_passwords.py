"""Django's four password validators on every way a password is set: `tower user add` (option
and standard input), the password change page and the password reset page."""

from __future__ import annotations

import io
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_user

SHORT = "This password is too short. It must contain at least 10 characters."
COMMON = "This password is too common."
NUMERIC = "This password is entirely numeric."
SIMILAR = "The password is too similar to the username."

# password -> every message the validators give (hand-checked against Django's four validators).
WEAK = {
    "12345678": [SHORT, COMMON, NUMERIC],
    "password": [SHORT, COMMON],
    "Password1": [SHORT, COMMON],
    " " * 8: [SHORT],
    "pharmacist-ann": [SIMILAR],  # the username itself
}


def add_user(password: str | None, stdin: str | None = None, monkeypatch=None) -> str:
    args = ["user", "add", "pharmacist-ann", "--cmo-admin"]
    if password is not None:
        args += ["--password", password]
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK)
def test_cli_refuses_weak_passwords_with_the_validators_messages(password):
    with pytest.raises(CommandError) as refused:
        add_user(password)
    for message in WEAK[password]:
        assert message in str(refused.value)
    assert not get_user_model().objects.filter(username="pharmacist-ann").exists()


@pytest.mark.django_db
def test_cli_reads_the_password_from_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("12345678\n"))
    with pytest.raises(CommandError, match="entirely numeric"):
        add_user(None)
    monkeypatch.setattr(sys, "stdin", io.StringIO("tablet-press-calibration\n"))
    assert "Added user pharmacist-ann (CMO admin)" in add_user(None)
    user = get_user_model().objects.get(username="pharmacist-ann")
    assert user.check_password("tablet-press-calibration")


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK)
def test_password_change_page_refuses_weak_passwords(client, password):
    user = make_user("pharmacist-ann")
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "x-long-password", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    text = response.content.decode()
    for message in WEAK[password]:
        assert message.replace("'", "&#x27;") in text
    user.refresh_from_db()
    assert user.check_password("x-long-password")
