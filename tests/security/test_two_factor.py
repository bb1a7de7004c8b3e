"""Two-factor sign-in: enrol an app (QR code drawn locally, secret shown), sign in with a real
TOTP code (computed with django-otp's own RFC 6238 implementation) or a one-time recovery
code; CMO admins must enrol first when TOWER_REQUIRE_2FA_FOR_ADMINS is on."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_user

PASSWORD = "x-long-password"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows (now, or a step later: each code works only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def signed_in_client(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    assert "<svg" in page and "<img" not in page  # drawn here, no image service
    shown = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
    wrong = client.post("/accounts/two-factor/enrol/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    time.sleep(1.1)  # django-otp refuses any code for a second after a wrong one
    done = client.post("/accounts/two-factor/enrol/", {"code": code_for(device)})
    assert "Two-factor sign-in is on" in done.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


@pytest.fixture
def ann(db):
    return make_user("ann")


def test_enrol_then_sign_in_needs_a_code(ann):
    device, codes = enrol(signed_in_client("ann"))
    assert len(codes) == 10 and len(set(codes)) == 10

    client = signed_in_client("ann")
    for url in ("/", "/lines/", "/accounts/password_change/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/verify/?next="), url
    wrong = client.post("/accounts/two-factor/verify/", {"code": "123456", "next": "/lines/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    time.sleep(1.1)
    right = client.post(
        "/accounts/two-factor/verify/", {"code": code_for(device, 1), "next": "/lines/"}
    )
    assert right.status_code == 302 and right["Location"] == "/lines/"
    assert client.get("/lines/").status_code == 200


def test_a_recovery_code_signs_in_once(ann):
    _, codes = enrol(signed_in_client("ann"))
    client = signed_in_client("ann")
    assert client.post("/accounts/two-factor/verify/", {"code": codes[3]}).status_code == 302
    assert client.get("/").status_code == 200
    again = signed_in_client("ann")
    refused = again.post("/accounts/two-factor/verify/", {"code": codes[3]})
    assert refused.status_code == 200 and again.get("/").status_code == 302
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Recovery codes left: <strong>9</strong>" in page


def test_the_next_address_stays_on_the_site(ann):
    device, _ = enrol(signed_in_client("ann"))
    client = signed_in_client("ann")
    response = client.post(
        "/accounts/two-factor/verify/",
        {"code": code_for(device, 1), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_admins_must_enrol_when_the_setting_says_so(db, settings):
    settings.TOWER_REQUIRE_2FA_FOR_ADMINS = True
    make_user("boss", admin=True)
    make_user("viewer")
    client = signed_in_client("boss")
    for url in ("/", "/admin/", "/scorecard/"):
        response = client.get(url)
        assert response["Location"].startswith("/accounts/two-factor/enrol/?next="), url
    device, _ = enrol(client)
    assert client.get("/").status_code == 200
    # Other users are not forced.
    assert signed_in_client("viewer").get("/").status_code == 200
    # Next time the admin signs in, the code is asked for.
    again = signed_in_client("boss")
    assert again.get("/")["Location"].startswith("/accounts/two-factor/verify/")
    again.post("/accounts/two-factor/verify/", {"code": code_for(device, 1)})
    assert again.get("/admin/").status_code == 200


def test_admins_are_not_forced_by_default(db):
    make_user("boss", admin=True)
    assert signed_in_client("boss").get("/").status_code == 200


def test_guessing_codes_is_slowed_down(ann):
    """After a wrong code even the right one is refused for a moment (django-otp's throttle)."""
    device, _ = enrol(signed_in_client("ann"))
    client = signed_in_client("ann")
    client.post("/accounts/two-factor/verify/", {"code": "000000"})
    refused = client.post("/accounts/two-factor/verify/", {"code": code_for(device, 1)})
    assert refused.status_code == 200 and client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(ann):
    client = signed_in_client("ann")
    _, old = enrol(client)
    page = client.post("/accounts/two-factor/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    other = signed_in_client("ann")
    assert other.post("/accounts/two-factor/verify/", {"code": old[0]}).status_code == 200
    time.sleep(1.1)
    assert other.post("/accounts/two-factor/verify/", {"code": new[0]}).status_code == 302
