"""The main menu: the pages grouped by what a user comes to do, shown by base.html.

Two pages are used every day and stay one click away (the dashboard and the daily board); the
rest sit in groups that open as native <details>/<summary> dropdowns (no script needed; with
tower/static/tower/menu.js, Escape and a click elsewhere close them). Entries marked `cmo` are
the CMO's own work (site calendars, cross-site harmonisation, the process map, webhook
deliveries) and are left out for client users; `admin` entries only for CMO administrators. The
menu hides nothing a user may open: each page still scopes what it shows (tenancy.scoping).

A context processor (settings.TEMPLATES): the menu is built only when a template reads it, so
fragments and downloads pay nothing, and the role costs no query more than the page's own
(tenancy.scoping.roles is read once per request user).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse

from tower.tenancy.scoping import is_cmo_admin, sees_client_names


@dataclass(frozen=True)
class Entry:
    name: str  # the URL name, also what `nav_active` / the resolver names
    label: str
    cmo: bool = False  # the CMO's own work: not in client users' menus
    admin: bool = False  # CMO administrators only
    count: bool = False  # its group shows the notices-to-acknowledge count (htmx, after the page)

    @property
    def url(self) -> str:
        return reverse("admin:index") if self.name == "admin:index" else reverse(self.name)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    entries: tuple[Entry, ...]

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    @property
    def counts(self) -> bool:
        """Whether its summary shows the notices count (one of its entries is the inbox)."""
        return any(e.count for e in self.entries)


TOP = (
    Entry("performance:dashboard", "Dashboard"),
    Entry("board:board", "Daily board"),
)

GROUPS = (
    Group(
        "performance",
        "Performance",
        (
            Entry("scorecards:scorecard", "Scorecard"),
            Entry("performance:lines", "Lines"),
            Entry("performance:closes", "Month close"),
            Entry("scorecards:survey", "Satisfaction survey"),
            Entry("agreements:definitions", "Definitions"),
        ),
    ),
    Group(
        "warning",
        "Early warning",
        (
            Entry("outlook:outlook", "Outlook"),
            Entry("stock:list", "Client stock"),
            Entry("scorecards:stock_outs", "Stock-outs"),
            Entry("communications:inbox", "Notices", count=True),
            Entry("escalations:list", "Escalations"),
        ),
    ),
    Group(
        "relationship",
        "Relationship",
        (
            Entry("scorecards:agreements", "Agreements"),
            Entry("agreements:who_to_call", "Who to call"),
            Entry("meetings:list", "Meetings"),
            Entry("actions:register", "Actions"),
            Entry("communications:log", "Communication log"),
        ),
    ),
    Group(
        "projects",
        "Projects & improvement",
        (
            Entry("projects:list", "Projects"),
            Entry("risks:list", "Risks"),
            Entry("improvement:projects", "Improvement"),
            Entry("improvement:lessons", "Lessons learned"),
            Entry("harmonisation:backlog", "Harmonisation", cmo=True),
            Entry("processes:map", "Process map", cmo=True),
        ),
    ),
    Group(
        "admin",
        "Administration",
        (
            Entry("calendars:list", "Site calendars", cmo=True),
            Entry("webhooks:deliveries", "Webhook deliveries", cmo=True),
            Entry("admin:index", "Admin site", admin=True),
        ),
    ),
)


class Menu:
    """The menu of one user: the top entries and the groups with what the user's role sees."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def top(self) -> tuple[Entry, ...]:
        return TOP

    @cached_property
    def groups(self) -> list[Group]:
        cmo = sees_client_names(self.user)
        admin = is_cmo_admin(self.user)
        shown = []
        for group in GROUPS:
            entries = tuple(
                e for e in group.entries if (not e.cmo or cmo) and (not e.admin or admin)
            )
            if entries:
                shown.append(Group(group.key, group.label, entries))
        return shown


def main_menu(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"main_menu": Menu(user)}
