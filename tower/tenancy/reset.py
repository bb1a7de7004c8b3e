"""Password reset, Django's own, throttled per address and per e-mail.

Django's PasswordResetView already answers the same whether or not an account has the e-mail.
The throttle keeps that: it counts every request, for any e-mail, so a refused request says
nothing about the address either.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone

from tower.tenancy.models import ResetRequest
from tower.tenancy.signin import client_address

WINDOW = dt.timedelta(hours=1)


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def allow(address: str | None, email: str) -> bool:
    """Record the request and say whether it is within the hourly limits (both of them)."""
    now = timezone.now()
    ResetRequest.objects.filter(requested_at__lt=now - WINDOW).delete()
    recent = ResetRequest.objects.filter(requested_at__gte=now - WINDOW)
    limit = settings.TOWER_RESET_LIMIT
    if recent.filter(email_sha256=_digest(email)).count() >= limit:
        return False
    if address and recent.filter(address=address).count() >= limit:
        return False
    ResetRequest.objects.create(address=address, email_sha256=_digest(email), requested_at=now)
    return True


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        if not allow(client_address(self.request), form.cleaned_data["email"]):
            return render(
                self.request,
                "registration/password_reset_throttled.html",
                {"limit": settings.TOWER_RESET_LIMIT},
                status=429,
            )
        return super().form_valid(form)
