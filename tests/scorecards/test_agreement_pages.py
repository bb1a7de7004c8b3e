"""The agreement pages: every KPI's target, direction and amber band, the stock-out look-back,
the currency and the penalty terms. Only CMO admins change them (each change audited with the
user); everyone else who may see the client reads them; another client's agreement is not found.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import GLOBEX_MARK, World, build_world
from tower.agreements.models import Agreement, KpiTarget, PenaltyTerm
from tower.agreements.services import add_penalty_term, set_kpi_target
from tower.engine.kpi_catalogue import KPIS
from tower.masterdata.models import Product
from tower.performance.models import (
    LineOutcome,
    RootCause,
)
from tower.performance.services import approve_root_cause
from tower.scorecards.services import report_stock_out

ACME_URL = "/agreements/ACME/"
READERS = ["acme_viewer", "acme_approver", "acme_staff"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import) -> World:
    """The two-client world of the web tests (tests/web/conftest.py)."""
    return build_world(acme, globex, write_csv, run_import)


def form_data(response, **changes) -> dict:
    """What the admin's form posts back unchanged, with `changes` (field name -> value)."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: "" if v is None else str(v) for k, v in data.items()}
    return {**data, **{k: str(v) for k, v in changes.items()}}


def targets(client) -> dict[str, tuple]:
    return {
        t.kpi: (t.target, t.tolerance, t.direction) for t in KpiTarget.objects.filter(client=client)
    }


# ---------------------------------------------------------------------------------------------
# Reading


def test_the_list_shows_each_clients_summary_to_the_cmo_admin(world, client):
    set_kpi_target(client=world.acme, kpi="otif_net", target=97.0, tolerance=3.0, user=world.admin)
    client.force_login(world.admin)
    page = client.get("/agreements/")
    assert page.status_code == 200
    body = page.content.decode()
    acme = body.split('data-client="ACME"', 1)[1].split("</tr>", 1)[0]
    assert f"1 of {len(KPIS)}" in acme and f'<td class="num">{len(KPIS) - 1}</td>' in acme
    assert "Edit" in acme and 'href="/agreements/ACME/"' in acme
    assert 'data-client="GLOBEX"' in body


@pytest.mark.parametrize("who", READERS)
def test_client_users_and_staff_see_only_their_own_agreement_read_only(world, client, who):
    client.force_login(getattr(world, who))
    listing = client.get("/agreements/").content.decode()
    assert 'data-client="ACME"' in listing and GLOBEX_MARK not in listing.lower()
    assert "Edit" not in listing and "View" in listing

    page = client.get(ACME_URL)
    assert page.status_code == 200
    body = page.content.decode()
    for kpi in KPIS:  # every KPI of the catalogue, with direction, target and band
        row = body.split(f'data-kpi="{kpi.code}"', 1)[1].split("</tr>", 1)[0]
        assert kpi.name in row and ("Higher is better" in row or "Lower is better" in row)
        assert "default" in row
    assert "≥ 95.0 %" in body and "5.0 points" in body and "≤ 0 events" in body
    assert page.context["form"] is None and page.context["penalty_form"] is None
    for form_id in ("agreement-form", "penalty-add"):
        assert f'id="{form_id}"' not in body
    assert 'class="kpi-input"' not in body and "/penalties/" not in body
    assert "Read-only" in body and GLOBEX_MARK not in body.lower()


# ---------------------------------------------------------------------------------------------
# Changing targets


def test_an_admin_changes_two_targets_only_those_are_saved_and_each_is_audited(world, client):
    client.force_login(world.admin)
    page = client.get(ACME_URL)
    assert page.status_code == 200 and 'class="kpi-input"' in page.content.decode()
    data = form_data(
        page, target_otif_net=97.5, tolerance_yield=2, reason="QBR 2026: tighter delivery"
    )
    response = client.post(ACME_URL, data)
    assert response.status_code == 302 and response["Location"] == ACME_URL
    assert targets(world.acme) == {
        "otif_net": (97.5, 5.0, "higher"),
        "yield": (95.0, 2.0, "higher"),
    }
    records = KpiTarget.history.filter(client=world.acme)
    assert records.count() == 2
    for record in records:
        assert record.history_user == world.admin
        assert record.history_change_reason == "QBR 2026: tighter delivery"

    body = client.get(ACME_URL).content.decode()
    assert "Agreement saved: Net OTIF 97.5 %" in body
    history = body.split('id="agreement-history"', 1)[1]
    assert "boss" in history and "QBR 2026: tighter delivery" in history
    assert "target ≥ 95.0 % (default) → ≥ 97.5 %" in history
    assert "Yield" in history
    row = body.split('data-kpi="otif_net"', 1)[1].split("</tr>", 1)[0]
    assert "agreed" in row and 'value="97.5"' in row

    # A second change shows before and after.
    client.post(ACME_URL, form_data(client.get(ACME_URL), target_otif_net=96))
    history = client.get(ACME_URL).content.decode().split('id="agreement-history"', 1)[1]
    assert "target ≥ 97.5 % → ≥ 96.0 %" in history


def test_saving_the_form_unchanged_writes_nothing(world, client):
    client.force_login(world.admin)
    response = client.post(ACME_URL, form_data(client.get(ACME_URL)), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not KpiTarget.objects.filter(client=world.acme).exists()
    assert not KpiTarget.history.filter(client=world.acme).exists()


@pytest.mark.parametrize("who", READERS)
def test_only_admins_change_the_agreement(world, client, who):
    client.force_login(world.admin)
    data = form_data(client.get(ACME_URL), target_otif_net=50, oos_lookback_days=5)
    agreement_before = list(Agreement.objects.filter(client=world.acme).values())
    client.force_login(getattr(world, who))
    assert client.post(ACME_URL, data).status_code == 403
    assert not KpiTarget.objects.filter(client=world.acme).exists()
    assert list(Agreement.objects.filter(client=world.acme).values()) == agreement_before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"target_otif_net": "abc"}, "Enter a number."),
        ({"target_on_time": "150"}, "less than or equal to 100"),
        ({"tolerance_yield": "-1"}, "greater than or equal to 0"),
        ({"target_satisfaction": "7"}, "less than or equal to 5"),
        ({"target_oos_events": "-2"}, "greater than or equal to 0"),
        ({"target_otif_net": "nan"}, "Enter a number."),
        ({"target_oos_events": "1e308"}, "less than or equal to 1000000000000"),
        ({"tolerance_oos_events": "1e307"}, "less than or equal to 1000000000000"),
        ({"target_oos_events": "1e309"}, "Enter a number."),
        ({"oos_lookback_days": "0"}, "greater than or equal to 1"),
        ({"oos_lookback_days": "400"}, "less than or equal to 365"),
        ({"currency": "E1R"}, "three-letter code"),
        ({"currency": "EURO"}, "at most 3 characters"),
    ],
)
def test_bad_values_are_shown_and_nothing_is_saved(world, client, changes, message):
    client.force_login(world.admin)
    agreement_before = list(Agreement.objects.filter(client=world.acme).values())
    # A valid change in the same form is not saved either: all or nothing.
    data = form_data(client.get(ACME_URL), target_yield=90, **changes)
    response = client.post(ACME_URL, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved." in body and 'role="alert"' in body
    assert message in body and 'aria-invalid="true"' in body
    assert not KpiTarget.objects.filter(client=world.acme).exists()
    assert list(Agreement.objects.filter(client=world.acme).values()) == agreement_before


def test_a_shorter_look_back_attributes_the_stock_outs_again(world, client):
    approve_root_cause(
        root_cause=RootCause.objects.get(line=world.acme_late), user=world.acme_approver
    )
    due = LineOutcome.objects.get(line=world.acme_late).due_date
    event = report_stock_out(
        client=world.acme,
        product=Product.objects.get(client=world.acme, code="ACME-IBUPRO-200"),
        location="Germany",
        start_date=due + dt.timedelta(days=10),
        user=world.acme_viewer,
    )
    assert event.cmo_caused
    client.force_login(world.admin)
    response = client.post(
        ACME_URL, form_data(client.get(ACME_URL), oos_lookback_days=5, currency="usd"), follow=True
    )
    body = response.content.decode()
    assert "stock-out look-back 60 → 5 days" in body and "currency EUR → USD" in body
    event.refresh_from_db()
    assert not event.cmo_caused
    agreement = Agreement.objects.get(client=world.acme)
    assert (agreement.oos_lookback_days, agreement.currency) == (5, "USD")
    assert agreement.history.first().history_user == world.admin
    history = body.split('id="agreement-history"', 1)[1]
    assert re.search(r"boss</td>\s*<td>Look-back and currency</td>", history)
    # The stock-out's page explains with the new look-back.
    detail = client.get(f"/stock-outs/{event.pk}/").content.decode()
    assert "The look-back used is <strong>5 days</strong>" in detail


# ---------------------------------------------------------------------------------------------
# Penalty terms


def test_an_admin_adds_and_removes_a_penalty_term(world, client):
    client.force_login(world.admin)
    response = client.post(
        "/agreements/ACME/penalties/",
        {"kind": "month_below_target", "rate": "5000", "description": "§ 9.2"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/agreements/ACME/#penalty-terms"
    term = PenaltyTerm.objects.get(client=world.acme, description="§ 9.2")
    assert (term.kind, term.rate) == ("month_below_target", 5000.0)
    body = client.get(ACME_URL).content.decode()
    assert "Penalty term added: 5,000.00" in body
    terms = body.split('id="penalty-term-table"', 1)[1].split("</table>", 1)[0]
    assert "per month below the OTIF target" in terms and "§ 9.2" in terms

    response = client.post(f"/agreements/ACME/penalties/{term.pk}/delete/")
    assert response.status_code == 302
    assert not PenaltyTerm.objects.filter(pk=term.pk).exists()
    body = client.get(ACME_URL).content.decode()
    assert "Penalty term removed" in body
    history = body.split('id="agreement-history"', 1)[1]
    assert "removed: 5,000.00" in history and "added: 5,000.00" in history
    assert [r.history_user for r in PenaltyTerm.history.filter(id=term.pk)] == [world.admin] * 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "line_value_pct", "rate": "0"}, "must be more than zero"),
        ({"kind": "line_value_pct", "rate": "150"}, "cannot exceed 100"),
        ({"kind": "line_value_pct", "rate": "abc"}, "Enter a number."),
        ({"kind": "line_value_pct", "rate": "inf"}, "Enter a number."),
        ({"kind": "month_below_target", "rate": "1e308"}, "less than or equal to 1000000000000"),
        ({"kind": "month_below_target", "rate": "1e309"}, "Enter a number."),
        ({"kind": "bogus", "rate": "2"}, "Select a valid choice"),
        ({}, "This field is required."),
    ],
)
def test_a_bad_penalty_term_is_refused_with_a_message(world, client, data, message):
    client.force_login(world.admin)
    before = PenaltyTerm.objects.count()
    response = client.post("/agreements/ACME/penalties/", data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert PenaltyTerm.objects.count() == before


@pytest.mark.parametrize("who", READERS)
def test_only_admins_add_or_remove_penalty_terms(world, client, who):
    term = add_penalty_term(client=world.acme, kind="line_value_pct", rate=1.5, user=world.admin)
    client.force_login(getattr(world, who))
    added = client.post("/agreements/ACME/penalties/", {"kind": "line_value_pct", "rate": "3"})
    assert added.status_code == 403
    assert client.post(f"/agreements/ACME/penalties/{term.pk}/delete/").status_code == 403
    assert PenaltyTerm.objects.filter(pk=term.pk).exists()
    assert not PenaltyTerm.objects.filter(client=world.acme, rate=3.0).exists()


# ---------------------------------------------------------------------------------------------
# Tenancy


@pytest.mark.parametrize("who", READERS)
def test_another_clients_agreement_is_not_found(world, client, who):
    theirs = add_penalty_term(
        client=world.globex, kind="line_value_pct", rate=1.0, description="globex", user=world.admin
    )
    globex_terms = list(PenaltyTerm.objects.filter(client=world.globex).values())
    client.force_login(getattr(world, who))
    for code in ("GLOBEX", "NO-SUCH-CLIENT"):
        assert client.get(f"/agreements/{code}/").status_code == 404
        assert client.post(f"/agreements/{code}/", {"target_otif_net": "1"}).status_code == 404
        added = client.post(f"/agreements/{code}/penalties/", {"kind": "line_value_pct", "rate": 2})
        assert added.status_code == 404
    assert client.post(f"/agreements/GLOBEX/penalties/{theirs.pk}/delete/").status_code == 404
    # Another client's term named under one's own client is not found either.
    assert client.post(f"/agreements/ACME/penalties/{theirs.pk}/delete/").status_code == 404
    assert list(PenaltyTerm.objects.filter(client=world.globex).values()) == globex_terms
    assert not KpiTarget.objects.filter(client=world.globex).exists()


def test_the_admin_cannot_remove_a_term_through_another_clients_address(world, client):
    theirs = add_penalty_term(
        client=world.globex, kind="line_value_pct", rate=1.0, user=world.admin
    )
    client.force_login(world.admin)
    assert client.post(f"/agreements/ACME/penalties/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/agreements/GLOBEX/penalties/{theirs.pk}/delete/").status_code == 302
    assert not PenaltyTerm.objects.filter(pk=theirs.pk).exists()


def test_penalty_steps_answer_post_only_and_anonymous_visitors_sign_in(world, client):
    term = add_penalty_term(client=world.acme, kind="line_value_pct", rate=1.0, user=world.admin)
    urls = ["/agreements/ACME/penalties/", f"/agreements/ACME/penalties/{term.pk}/delete/"]
    for url in ["/agreements/", ACME_URL, *urls]:
        for method in (client.get, client.post):
            assert method(url)["Location"].startswith("/accounts/login/"), url
    client.force_login(world.acme_viewer)
    for url in urls:
        assert client.get(url).status_code == 405


# ---------------------------------------------------------------------------------------------
# Queries


def test_the_agreement_pages_run_as_many_queries_whatever_the_history(world, client):
    client.force_login(world.admin)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {url: count(url) for url in ("/agreements/", ACME_URL)}
    for n, kpi in enumerate(KPIS):
        set_kpi_target(client=world.acme, kpi=kpi.code, target=n, tolerance=1, user=world.admin)
        set_kpi_target(client=world.globex, kpi=kpi.code, target=n, tolerance=2, user=world.admin)
    for n in range(10):
        add_penalty_term(client=world.acme, kind="line_value_pct", rate=n + 1, user=world.admin)
    after = {url: count(url) for url in ("/agreements/", ACME_URL)}
    assert after == before
    # The escalation matrix and triggers section adds its four (levels, triggers, and for the
    # admin's form the sites and the team members to choose from).
    assert max(after.values()) <= 19, after
