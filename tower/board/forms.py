"""The board's filters, read from the query string: client, site, the day, big-screen mode."""

from __future__ import annotations

import datetime as dt

from django import forms

from tower.board.queries import BoardScope, site_today
from tower.performance.forms import visible_sites
from tower.tenancy.scoping import client_by_code, visible_clients

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 2), dt.date(2999, 12, 24)
# Big-screen mode reloads the board every `refresh` seconds: bounded so that a typo neither
# hammers the server nor leaves a wall screen stale for hours.
DEFAULT_REFRESH, MIN_REFRESH, MAX_REFRESH = 120, 30, 3600


class BoardForm(forms.Form):
    client = forms.CharField(required=False)
    site = forms.CharField(required=False)
    date = forms.DateField(
        required=False,
        label="Day",
        help_text="The stand-up's day (default today at the site): its yesterday and its week",
        input_formats=["%Y-%m-%d"],
    )
    screen = forms.BooleanField(required=False, label="Big screen")
    refresh = forms.IntegerField(
        required=False,
        min_value=MIN_REFRESH,
        max_value=MAX_REFRESH,
        label="Refresh every (seconds)",
    )

    def __init__(self, data, *, principal, **kwargs):
        super().__init__(data, **kwargs)
        self.principal = principal
        self.clients = list(visible_clients(principal).order_by("code"))

    def clean_client(self):
        # Another client's code is a 404, exactly like an unknown one (tenancy.scoping).
        client = client_by_code(self.clients, self.cleaned_data["client"])
        return client.code if client else ""

    def clean_site(self):
        code = self.cleaned_data["site"].strip()
        if code and not visible_sites(self.clients, self.principal).filter(code=code).exists():
            raise forms.ValidationError(f"There is no site {code!r}.")
        return code

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                f"Choose a day from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}."
            )
        return day

    def scope(self) -> BoardScope:
        """The validated scope (call after is_valid(); a field in error falls back to its
        default: all the user's clients, every site, today)."""
        data = getattr(self, "cleaned_data", {})
        code = data.get("client") or ""
        site = data.get("site") or None
        today, zone = site_today(site)
        return BoardScope(
            clients=tuple(c for c in self.clients if not code or c.code == code),
            day=data.get("date") or today,
            site=site,
            time_zone=zone,
        )

    @property
    def refresh_seconds(self) -> int:
        return getattr(self, "cleaned_data", {}).get("refresh") or DEFAULT_REFRESH
