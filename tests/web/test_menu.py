"""The main menu (tower/menu.py, base.html): grouped, role-aware, marking the current page and
its group. The browser side (keyboard, phone, print) is in tests/browser/test_dashboard_phone.py."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Role, make_user
from tower.menu import GROUPS, TOP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def menu_of(client, user, url="/lines/") -> tuple[list[str], list[str], str]:
    client.force_login(user)
    html = client.get(url).content.decode()
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>", html.index("mainnav"))]
    groups = re.findall(r'data-menu-group="(\w+)"', nav)
    links = re.findall(r'<a href="[^"]+"[^>]*>([^<]+)', nav)
    return groups, links, nav


CMO_ONLY = ["Harmonisation", "Process map", "Site calendars", "Webhook deliveries"]


def test_the_cmo_admin_sees_every_group_and_entry(client, acme):
    groups, links, _ = menu_of(client, make_user("root", admin=True))
    assert groups == ["performance", "warning", "relationship", "projects", "admin"]
    assert links == [e.label for e in TOP] + [e.label for g in GROUPS for e in g.entries]
    assert "Admin site" in links and len(links) == 26


def test_cmo_staff_see_the_cmo_entries_but_not_the_admin_site(client, acme):
    groups, links, _ = menu_of(client, make_user("anna", acme, Role.CMO_STAFF))
    assert groups[-1] == "admin" and all(label in links for label in CMO_ONLY)
    assert "Admin site" not in links


@pytest.mark.parametrize("role", [Role.CLIENT_VIEWER, Role.CLIENT_APPROVER])
def test_a_client_user_sees_no_cmo_only_entry(client, acme, role):
    groups, links, _ = menu_of(client, make_user("cleo", acme, role))
    assert groups == ["performance", "warning", "relationship", "projects"]
    assert not set(CMO_ONLY) & set(links) and "Admin site" not in links
    assert links[:2] == ["Dashboard", "Daily board"] and "Lessons learned" in links


def test_the_current_page_and_its_group_are_marked(client, acme):
    _, _, nav = menu_of(client, make_user("root", admin=True), "/lines/")
    assert '<a href="/lines/" aria-current="page">Lines</a>' in nav
    current = re.findall(r'data-menu-group="(\w+)">\s*<summary class="current">', nav)
    assert current == ["performance"]
    assert nav.count('aria-current="page"') == 1
    # The notices count sits on the closed group's summary, loaded after the page.
    warning = nav[nav.index('data-menu-group="warning"') :]
    assert warning.index('id="inbox-count"') < warning.index("</summary>")


def test_the_menu_has_no_inline_script_or_style(client, acme):
    _, _, nav = menu_of(client, make_user("root", admin=True))
    assert "style=" not in nav and "onclick" not in nav and "<script" not in nav
