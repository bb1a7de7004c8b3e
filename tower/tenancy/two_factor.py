"""Two-factor sign-in with django-otp: a TOTP app, and one-time recovery codes.

After the password, a user who has enrolled an authenticator app must give a code from it (or
one of their recovery codes) before any page works: SecondFactorMiddleware sends them to the
verify page. With TOWER_REQUIRE_2FA_FOR_ADMINS=1 a CMO admin (superuser) without one is sent to
enrol first. django-otp's OTPMiddleware (before this one) tells whether this session passed the
second factor (`request.user.is_verified()`), and throttles wrong codes per device.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery codes"
APP_DEVICE = "authenticator app"

# Pages a signed-in user may open before the second factor: the steps themselves and sign-out.
VERIFY_STEP = {"two_factor_verify", "logout"}
ENROL_STEP = {"two_factor_enrol", "logout"}


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def required(user) -> bool:
    return settings.TOWER_REQUIRE_2FA_FOR_ADMINS and user.is_superuser


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            step = self._step_needed(user)
            if step and _url_name(request) not in step:
                name = "two_factor_verify" if step is VERIFY_STEP else "two_factor_enrol"
                return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _step_needed(user):
        # One query per request of a signed-in, unverified user: a device enrolled in another
        # session counts at once.
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return VERIFY_STEP
        if required(user):
            return ENROL_STEP
        return None


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def pending_device(user) -> TOTPDevice:
    """The app device being enrolled (not confirmed yet): the same secret until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, drawn here: the secret never leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code from it; the session counts as verified. Returns new
    recovery codes (replacing any old ones), or None when the code is wrong."""
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    otp_login(request, device)
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten fresh one-time codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


def verify(request, code: str):
    """Check a code from the app or a recovery code (used up); log the device into the session."""
    user = request.user
    code = code.strip().replace(" ", "").lower()
    if code.isdigit():
        device = app_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE).first()
    if device is None:
        return None
    verified = verify_token(user, device.persistent_id, code)
    if verified is not None:
        otp_login(request, verified)
    return verified


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
