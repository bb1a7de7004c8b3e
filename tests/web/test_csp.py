"""Content-Security-Policy: every page carries a strict policy and has nothing it would block
(inline script, inline event handlers, javascript: URLs, inline styles)."""

from __future__ import annotations

from html.parser import HTMLParser

from .conftest import SCORECARD_PERIOD
from .test_isolation import urls

# JSON data blocks (Django's json_script) are not executed: the policy does not apply to them.
DATA_TYPES = {"application/json"}


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._inline_script = (
                "src" not in attributes and attributes.get("type") not in DATA_TYPES
            )

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def assert_strict_policy(response, url):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives.get("default-src") == "'self'", url
    assert directives.get("script-src") == "'self'", url
    assert "unsafe" not in policy, url


def test_finder_sees_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><select onchange="x()"></select><a href="javascript:x()">'
        '<p style="color:red"><style>p{}</style><script type="application/json">{}</script>'
        '<script src="/static/a.js"></script>'
    )
    assert len(inline_code(html)) == 5


def test_every_page_has_a_strict_policy_and_no_inline_code(world, client):
    client.force_login(world.admin)
    pages = [u.url for u in urls(world, world.acme)]
    pages += [
        f"/scorecard/?client=ACME&period={SCORECARD_PERIOD}",
        "/closes/?client=ACME",
        "/stock-outs/report/?client=ACME",
        "/accounts/password_change/",
        "/accounts/two-factor/",
        "/accounts/two-factor/enrol/",
    ]
    checked = 0
    for url in pages:
        response = client.get(url, follow=True)  # a large export redirects to its job's page
        if response.status_code == 405 or "text/html" not in response.headers["Content-Type"]:
            continue
        assert response.status_code == 200, url
        assert_strict_policy(response, url)
        assert inline_code(response.content.decode()) == [], url
        # The same for the fragments htmx swaps in.
        fragment = client.get(url, headers={"HX-Request": "true"})
        assert inline_code(fragment.content.decode()) == [], url
        checked += 1
    assert checked >= 15


def test_sign_in_and_error_pages_have_no_inline_code(client, db):
    for url in ("/accounts/login/", "/accounts/password_reset/", "/no-such-page/"):
        response = client.get(url)
        assert_strict_policy(response, url)
        assert inline_code(response.content.decode()) == [], url
    from django.template.loader import render_to_string

    assert inline_code(render_to_string("500.html")) == []
