"""Sign-in throttling with django-axes: the client's address, the lockout page, the backend."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


def client_address(request) -> str | None:
    """The address sign-ins and reset requests are counted by.

    Directly served, the peer's address. Behind TOWER_PROXY_HOPS reverse proxies, the address
    the outermost of ours saw, which it appended to X-Forwarded-For; entries before it come
    from the client and could be anything, so they never count.
    """
    peer = request.META.get("REMOTE_ADDR")
    hops = settings.TOWER_PROXY_HOPS
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if hops and len(forwarded) >= hops and _is_address(forwarded[-hops]):
        return forwarded[-hops]
    return peer


def _is_address(text: str) -> bool:
    # Stored in address columns (PostgreSQL's inet): anything else would fail the request.
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def locked_out(request, response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' check before the password, for sign-ins that come with a request.

    Every sign-in over HTTP goes through Django's AuthenticationForm, which passes the request;
    only code without one (the test client's `login`, a shell) authenticates without it, and it
    has no address to count, so it is let through to the password check instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
