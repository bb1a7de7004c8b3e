"""Tenancy over every URL of the app, for every role (design: "Tenancy is default-deny").

The URLs come from the URL conf, not from a hand list: each pattern's arguments are filled with
another client's objects and the answer must be a 404, exactly like for an object that does not
exist. Lists and downloads never include another client's rows, client users never see the CMO's
internal notes, anonymous visitors are sent to sign in. A new URL pattern whose arguments this
module cannot fill, or a new POST-only view without plausible form data here, fails the tests,
so no URL slips through untested.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tower.orders.models import OrderLine
from tower.performance.exports import FORMATS
from tower.performance.models import MonthClose, RootCause

from .conftest import ACME_NOTE, GLOBEX_MARK, GLOBEX_NOTE, World

# The Django admin (tests/test_admin_pages.py) and Django's own sign-in views
# (tests/web/test_pages.py) are tested elsewhere; everything else is walked here.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_PREFIXES = ("accounts/",)

MISSING_PK = 987_654_321
MISSING_CODE = "NO-SUCH-CLIENT"
ACME_MARK = "acme"
ACME_ROLES = ["acme_viewer", "acme_approver", "acme_staff"]
CLIENT_ROLES = ["acme_viewer", "acme_approver"]


@dataclass(frozen=True)
class Route:
    name: str  # "performance:line"
    route: str  # "lines/<int:pk>/"
    kwargs: tuple[str, ...]

    @property
    def section(self) -> str:
        return self.route.split("/", 1)[0].split(".", 1)[0]


def app_routes() -> list[Route]:
    """Every URL pattern of the app, found by walking the URL conf."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, kwargs: tuple[str, ...]) -> None:
        for pattern in patterns:
            names = kwargs + tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, names)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            assert pattern.name, f"URL pattern {route!r} has no name: it cannot be reversed"
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append(Route(name, route, names))

    walk(get_resolver().url_patterns, "", "", ())
    return found


# How to fill each URL argument, per section of the site ("lines", "closes", ...): with an
# object a client owns (the 404 cases), or with plain values that belong to no client.
OWNED = {
    ("lines", "pk"): lambda world, client: world_line(world, client).pk,
    ("closes", "pk"): lambda world, client: world_close(world, client).pk,
    ("definitions", "code"): lambda world, client: client.code,
}
MISSING = {("lines", "pk"): MISSING_PK, ("closes", "pk"): MISSING_PK, ("definitions", "code"): "x"}
PLAIN = {("lines", "fmt"): sorted(FORMATS)}


def world_line(world: World, client) -> OrderLine:
    """A failed line with a proposed root cause (so every line workflow step applies to it)."""
    return world.acme_late if client == world.acme else world.globex_late


def world_close(world: World, client) -> MonthClose:
    return world.acme_close if client == world.acme else world.globex_close


# Plausible form data for each POST-only view: what a user of the owning client would send.
POST_DATA = {
    "performance:lines_propose": lambda world, client: {
        "line": [str(world_line(world, client).pk)],
        "code": "MFG-PROCESS",
        "comment": "Proposed by the isolation test",
        "internal_note": "isolation test",
        "query": "",
    },
    "performance:line_propose": lambda world, client: {
        "code": "MFG-PROCESS",
        "comment": "Proposed by the isolation test",
        "internal_note": "isolation test",
    },
    "performance:lines_approve": lambda world, client: {
        "line": [str(world_line(world, client).pk)],
        "comment": "Approved by the isolation test",
        "query": "",
    },
    "performance:line_review": lambda world, client: {"decision": "approve", "comment": "ok"},
    "performance:line_exclusion": lambda world, client: {"reason": "isolation test"},
    "performance:close_month": lambda world, client: {"client": client.code, "month": "2026-04"},
    "performance:reopen_month": lambda world, client: {"reason": "isolation test"},
}
# Further POSTs naming another client's objects in other ways.
EXTRA_POSTS = {
    "performance:lines_approve": lambda world, client: {
        "all": "1",
        "query": f"client={client.code}",
        "comment": "Approved by the isolation test",
    },
    "performance:lines_propose": lambda world, client: {
        "all": "1",
        "query": f"client={client.code}",
        "code": "MFG-PROCESS",
        "comment": "Proposed by the isolation test",
    },
}


@dataclass(frozen=True)
class Url:
    route: Route
    url: str
    owned: bool  # names an object of the client it was filled for


def urls(world: World, client, *, missing: bool = False) -> list[Url]:
    """Every app URL with its arguments filled for `client` (or with objects nobody has)."""
    found = []
    for route in app_routes():
        choices, owned = [], False
        for kwarg in route.kwargs:
            key = (route.section, kwarg)
            if key in OWNED:
                owned = True
                value = MISSING[key] if missing else OWNED[key](world, client)
                choices.append([(kwarg, value)])
            elif key in PLAIN:
                choices.append([(kwarg, value) for value in PLAIN[key]])
            else:
                pytest.fail(
                    f"URL {route.route!r} ({route.name}): the isolation tests do not know how "
                    f"to fill {kwarg!r}; add it to OWNED or PLAIN in {__name__}"
                )
        for combination in itertools.product(*choices):
            found.append(Url(route, reverse(route.name, kwargs=dict(combination)), owned))
    return found


def post_data(world: World, route: Route, client) -> dict:
    if route.name not in POST_DATA:
        pytest.fail(
            f"{route.route!r} ({route.name}) only answers POST: add plausible form data for it "
            f"to POST_DATA in {__name__}"
        )
    return POST_DATA[route.name](world, client)


def text(response) -> str:
    """What a user sees in a response: the page, the CSV, or every cell of the XLSX."""
    if response["Content-Type"] == FORMATS["xlsx"]:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = (
            "" if value is None else str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
        return "\n".join(cells)
    return response.content.decode()


def globex_state(world: World) -> list:
    """Everything a POST could change for GLOBEX."""
    return [
        list(RootCause.objects.filter(client=world.globex).order_by("pk").values()),
        list(MonthClose.objects.filter(client=world.globex).order_by("pk").values()),
        list(OrderLine.objects.filter(client=world.globex).order_by("pk").values()),
    ]


# ---------------------------------------------------------------------------------------------


def test_the_walk_finds_every_page_of_the_app(world):
    names = {route.name for route in app_routes()}
    assert {
        "performance:dashboard",
        "performance:lines",
        "performance:lines_export",
        "performance:line",
        "performance:closes",
        "performance:close",
        "performance:definitions",
        "performance:definition",
    } <= names
    assert not any(name.startswith("admin:") for name in names)
    assert "login" not in names
    # Each download format is tried.
    assert {u.url for u in urls(world, world.acme) if u.route.kwargs == ("fmt",)} == {
        "/lines/export.csv",
        "/lines/export.xlsx",
    }


@pytest.mark.parametrize("role", ACME_ROLES)
def test_another_clients_objects_are_not_found_on_any_url(world, client, role):
    client.force_login(world.acme_users[role])
    before = globex_state(world)
    for theirs, nobodys, ours in zip(
        urls(world, world.globex),
        urls(world, None, missing=True),
        urls(world, world.acme),
        strict=True,
    ):
        route = theirs.route
        response = client.get(theirs.url)
        if response.status_code == 405:
            # POST only: the same answer (405) whoever owns the object; now POST to it.
            assert client.get(ours.url).status_code == 405, route
            response = client.post(theirs.url, post_data(world, route, world.globex))
            assert response.status_code == 404, (role, theirs.url, response.status_code)
            if route.name in EXTRA_POSTS:
                extra = EXTRA_POSTS[route.name](world, world.globex)
                assert client.post(theirs.url, extra).status_code == 404, (role, theirs.url)
            if theirs.owned:
                assert (
                    client.post(nobodys.url, post_data(world, route, world.globex)).status_code
                    == 404
                )
            # The view itself works for the user's own object (empty form: nothing changes).
            assert client.post(ours.url, {}).status_code != 404, (role, ours.url)
        elif theirs.owned:
            assert response.status_code == 404, (role, theirs.url, response.status_code)
            assert client.get(nobodys.url).status_code == 404, nobodys.url
            assert client.get(ours.url).status_code == 200, (role, ours.url)
        else:
            # A list or a download: only the user's own client's rows.
            assert response.status_code == 200, (role, theirs.url, response.status_code)
            assert GLOBEX_MARK not in text(response).lower(), (role, theirs.url)
            named = client.get(f"{theirs.url}?client={world.globex.code}")
            unknown = client.get(f"{theirs.url}?client={MISSING_CODE}")
            assert named.status_code == unknown.status_code, (role, theirs.url)
            assert GLOBEX_MARK not in text(named).lower(), (role, theirs.url)
    assert globex_state(world) == before


LIST_PAGES = ["/", "/lines/", "/lines/export.csv", "/lines/export.xlsx", "/closes/"]
QUERIES = [
    "",
    "?from=2020-01&to=2026-10",
    "?q=SO-10&from=2026-03&to=2026-04",
    "?outcome=failed&status=proposed&from=2026-01&to=2026-10",
]


@pytest.mark.parametrize("role", ACME_ROLES)
def test_lists_and_downloads_never_include_another_client(world, client, role):
    client.force_login(world.acme_users[role])
    for url, query in itertools.product([*LIST_PAGES, "/definitions/"], QUERIES):
        response = client.get(url + query)
        assert response.status_code == 200, (url, query)
        seen = text(response)
        assert GLOBEX_MARK not in seen.lower(), (url, query)
        assert "Acme Pharma" in seen or url.startswith("/lines/export"), (url, query)
        if url.startswith("/lines") and "from=" in query:  # the world's months
            assert "ACME-SO-1002" in seen, (url, query)


@pytest.mark.parametrize("role", ACME_ROLES)
def test_naming_another_client_in_a_filter_is_not_found(world, client, role):
    client.force_login(world.acme_users[role])
    for url in LIST_PAGES:
        assert client.get(f"{url}?client=GLOBEX").status_code == 404, url
        assert client.get(f"{url}?client={MISSING_CODE}").status_code == 404, url
        assert client.get(f"{url}?client=ACME").status_code == 200, url
    # Another client's product reads exactly like a product that does not exist: nothing.
    for url in ("/", "/lines/"):
        theirs = client.get(f"{url}?product=GLOBEX-AMOXI-500&from=2026-01&to=2026-10")
        nobodys = client.get(f"{url}?product=NO-SUCH-PRODUCT&from=2026-01&to=2026-10")
        assert theirs.status_code == nobodys.status_code, url
        if url == "/":
            assert theirs.context["period"].counts == nobodys.context["period"].counts
            assert theirs.context["period"].counts["lines"] == 0
        else:
            assert theirs.context["page_obj"].paginator.count == 0
    # The definitions page has no client filter: the parameter is ignored, whoever it names.
    named = client.get("/definitions/?client=GLOBEX")
    assert named.status_code == client.get(f"/definitions/?client={MISSING_CODE}").status_code
    assert GLOBEX_MARK not in named.content.decode().lower()


@pytest.mark.parametrize("role", CLIENT_ROLES)
def test_client_users_never_see_internal_notes(world, client, role):
    client.force_login(world.acme_users[role])
    pages = [u.url for u in urls(world, world.acme) if u.route.name != "performance:lines_export"]
    pages += [
        f"/lines/{world.acme_short.pk}/",
        "/lines/?status=proposed&from=2026-01&to=2026-10",
        "/lines/?status=approved&from=2026-01&to=2026-10",
        "/lines/?q=ACME-SO-1002&from=2026-01&to=2026-10",
    ]
    pages += [
        f"/lines/export.{fmt}?{query}"
        for fmt in FORMATS
        for query in ("", "from=2026-01&to=2026-10&status=proposed")
    ]
    for url in pages:
        response = client.get(url)
        if response.status_code == 405:
            continue  # POST-only steps answer with a redirect, see below
        assert response.status_code == 200, (url, response.status_code)
        assert ACME_NOTE not in text(response), (role, url)
        assert "internal_note" not in text(response), (role, url)
    # The note really is stored (and would show if the views did not keep it back).
    assert ACME_NOTE in RootCause.objects.get(line=world.acme_late).internal_note
    for fmt in FORMATS:
        assert "root_cause_comment" in text(client.get(f"/lines/export.{fmt}"))


@pytest.mark.parametrize("who", ["acme_staff", "admin"])
def test_the_cmo_sees_its_internal_notes(world, client, who):
    client.force_login(getattr(world, who))
    page = client.get(f"/lines/{world.acme_late.pk}/")
    assert page.status_code == 200 and ACME_NOTE in page.content.decode()
    for fmt in FORMATS:
        download = text(client.get(f"/lines/export.{fmt}?client=ACME&from=2026-01&to=2026-10"))
        assert "internal_note" in download and ACME_NOTE in download


@pytest.mark.parametrize("role", CLIENT_ROLES)
def test_client_users_see_only_their_own_client_in_filters_and_titles(world, client, role):
    client.force_login(world.acme_users[role])
    for url in ("/", "/lines/", "/closes/", "/definitions/", f"/lines/{world.acme_late.pk}/"):
        response = client.get(url)
        body = response.content.decode()
        assert GLOBEX_MARK not in body.lower(), url
        title = body.split("<title>", 1)[1].split("</title>", 1)[0]
        assert GLOBEX_MARK not in title.lower()
        if "client_choices" in response.context:
            assert response.context["client_choices"] == [world.acme], url
            # One client: no client drop-down at all, the client is implied.
            assert 'id="f-client"' not in body


def test_a_globex_user_sees_nothing_of_acme(world, client):
    client.force_login(world.globex_viewer)
    for ours, theirs in zip(urls(world, world.globex), urls(world, world.acme), strict=True):
        response = client.get(ours.url)
        if response.status_code == 405:
            continue
        assert response.status_code == 200, ours.url
        assert ACME_MARK not in text(response).lower(), ours.url
        assert GLOBEX_NOTE not in text(response), ours.url
        if theirs.owned:
            assert client.get(theirs.url).status_code == 404, theirs.url


def test_anonymous_visitors_are_sent_to_sign_in_from_every_url(world, client):
    for url in urls(world, world.acme) + urls(world, world.globex):
        for method in (client.get, client.post):
            response = method(url.url)
            assert response.status_code == 302, (method, url.url)
            assert response["Location"].startswith("/accounts/login/?next="), url.url


def test_the_cmo_admin_sees_both_clients(world, client):
    client.force_login(world.admin)
    everything = "?from=2026-01&to=2026-10"
    pages = ["/", "/lines/", "/definitions/", "/lines/export.csv", "/lines/export.xlsx"]
    for url in pages:
        seen = text(client.get(url + everything))
        assert "ACME" in seen and "GLOBEX" in seen, url
    dashboard = client.get("/").content.decode()
    assert "Acme Pharma" in dashboard and "Globex Therapeutics" in dashboard
    assert [c.code for c in client.get("/").context["client_choices"]] == ["ACME", "GLOBEX"]
    lines = text(client.get("/lines/" + everything))
    assert "ACME-SO-1002" in lines and "GLOBEX-SO-1002" in lines
    for their in urls(world, world.globex):
        if their.owned and client.get(their.url).status_code != 405:
            assert client.get(their.url).status_code == 200, their.url
    page = client.get(f"/lines/{world.globex_late.pk}/").content.decode()
    assert "Globex Therapeutics" in page and GLOBEX_NOTE in page
    assert client.get("/closes/?client=GLOBEX").status_code == 200
