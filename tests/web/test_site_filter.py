"""A site code that only another client's lines use answers exactly like an unknown site."""

from __future__ import annotations

import re

import pytest

from .conftest import HEADER

# One GLOBEX line made at a site no ACME line uses.
GLOBEX_ONLY_SITE = (
    HEADER + "\nGLOBEX,GLOBEX-SO-2001,1,GLOBEX-AMOXI-500,CN9,10,2026-04-10,closed,"
    "2026-04-10,10,GLOBEX-D9\n"
)
PAGES = ["/", "/lines/", "/lines/export.csv", "/lines/export.xlsx"]
ACME_USERS = ["acme_viewer", "acme_approver", "acme_staff"]
# CSRF tokens are masked afresh in every response.
TOKEN = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def page(response, site: str) -> str:
    return TOKEN.sub(r"\1", response.content.decode()).replace(site, "SITE")


@pytest.fixture
def globex_site(world, write_csv, run_import):
    run_import(write_csv(GLOBEX_ONLY_SITE, "globex-site.csv"), create_missing=True)
    return "CN9"


@pytest.mark.parametrize("role", ACME_USERS)
def test_another_clients_site_reads_like_an_unknown_one(world, client, globex_site, role):
    client.force_login(world.acme_users[role])
    for url in PAGES:
        theirs = client.get(f"{url}?site={globex_site}&from=2026-01&to=2026-10")
        nobodys = client.get(f"{url}?site=ZZ9&from=2026-01&to=2026-10")
        assert theirs.status_code == nobodys.status_code == 400, url
        assert page(theirs, globex_site) == page(nobodys, "ZZ9"), url
        # A site of their own is fine.
        assert client.get(f"{url}?site=EU1&from=2026-01&to=2026-10").status_code == 200, url


def test_the_cmo_admin_filters_by_any_clients_site(world, client, globex_site):
    client.force_login(world.admin)
    response = client.get(f"/lines/?site={globex_site}&from=2026-01&to=2026-10")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    assert client.get("/lines/?site=ZZ9&from=2026-01&to=2026-10").status_code == 400
