"""The scorecard pages as each role meets them: the quarterly review page, one KPI with the
records behind it, the downloads, and the CMO's commentary and agreed actions.

The data is the two-client world of tests/web/conftest.py (lines in March and April 2026, the
review's records in 2026Q2). Where exact figures matter, the page is fed a scorecard built by hand
(`hand_scorecard`) so the layout is checked against known values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import polars as pl
import pytest
from django.test import Client as Browser

from tests.conftest import download, make_user
from tests.web.conftest import GLOBEX_MARK, SCORECARD_PERIOD, build_world
from tower.actions.models import Action
from tower.engine.kpi_catalogue import GROUPS, KPIS
from tower.engine.periods import parse_period
from tower.scorecards.models import KpiComment
from tower.scorecards.scorecard import (
    ActionRow,
    KpiResult,
    PenaltyExposure,
    Scorecard,
    StockOutRow,
    SurveySummary,
    TrendPoint,
)

ROLES = ["admin", "acme_staff", "acme_viewer", "acme_approver"]
CMO_SIDE = ["admin", "acme_staff"]
CLIENT_SIDE = ["acme_viewer", "acme_approver"]
PAGE = f"/scorecard/?client=ACME&period={SCORECARD_PERIOD}"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import):
    return build_world(acme, globex, write_csv, run_import)


def user(world, who: str):
    return getattr(world, who)


def body(response) -> str:
    return response.content.decode()


def tile(page: str, code: str) -> str:
    match = re.search(rf'<article [^>]*id="kpi-{code}".*?</article>', page, re.S)
    assert match, code
    return match.group(0)


def figure(block: str) -> str:
    return re.search(r'<p class="figure" data-value>(.*?)</p>', block).group(1)


# code: (value, basis, status, the four earlier periods' values); the rest have no data.
HAND_FIGURES = {
    "otif_net": (96.4, "412 of 427 lines", "green", (93.1, 94.5, None, 95.0)),
    "otif_gross": (91.2, "390 of 427 lines", "amber", (90.2, 91.0, 88.4, 92.3)),
    "on_time": (88.0, "376 of 427 lines", "red", (89.9, 90.1, 87.0, 88.8)),
    "oos_events": (2.0, "2 of 5 stock-outs", "red", (0.0, 1.0, 0.0, 3.0)),
    "incident_rate": (12.5, "5 deviations for 40 batches completed", "amber", (10, 11, 9, 12)),
    "satisfaction": (4.2, "mean of 25 ratings in 5 responses", "green", (3.8, 4.0, None, 4.1)),
}
HAND_COMMENTS = {
    "otif_net": "Back above target after the packaging line upgrade & new shifts.",
    "incident_rate": "Three minor deviations on the new blister line <tooling>, one major.",
}


def hand_scorecard(client, period) -> Scorecard:
    """A scorecard with known figures of every status (and of no data)."""
    earlier = period.previous(4)
    results = []
    for kpi in KPIS:
        value, basis, status, trend = HAND_FIGURES.get(
            kpi.code, (None, "nothing measured", "no_data", (None,) * 4)
        )
        results.append(
            KpiResult(
                kpi=kpi,
                value=value,
                numerator=None,
                denominator=None,
                basis=basis,
                target=kpi.default_target,
                tolerance=kpi.default_tolerance,
                target_is_default=kpi.code != "otif_net",
                status=status,
                trend=tuple(
                    TrendPoint(p.key, p.label, v) for p, v in zip(earlier, trend, strict=True)
                ),
                breakdown={"minor": 10.0, "major": 2.5, "critical": 0.0}
                if kpi.code == "incident_rate"
                else {},
                comment=HAND_COMMENTS.get(kpi.code, ""),
            )
        )
    questions = ("delivery_reliability", "communication", "quality", "responsiveness", "overall")
    return Scorecard(
        client=client,
        period=period,
        as_of=dt.date(2026, 10, 5),
        kpis=results,
        survey=SurveySummary(
            responses=5,
            means=dict(zip(questions, (4.4, 4.0, 4.6, 3.8, 4.2), strict=True)),
            mean=4.2,
            comments=("Much better communication since the weekly call.",),
        ),
        actions=[
            ActionRow(a.title, a.owner, a.due_date, a.status, a.kpi, a.period)
            for a in Action.objects.filter(client=client).order_by("pk")
        ],
        stock_outs=[
            StockOutRow(
                "AMX-500",
                "DE",
                dt.date(2026, 8, 3),
                dt.date(2026, 8, 12),
                10,
                True,
                2,
                "reported",
                pk=41,
            ),
            StockOutRow("IBU-200", "FR", dt.date(2026, 9, 24), None, 7, True, 1, "reported"),
        ],
        penalties=[
            PenaltyExposure(
                "2 % of the line value per CMO-attributable failed line",
                "line_value_pct",
                248.0,
                "EUR",
                "3 CMO-attributable failed lines worth 12,400.00 EUR",
            ),
            PenaltyExposure(
                "5,000.00 EUR per month below the OTIF target",
                "month_below_target",
                5000.0,
                "EUR",
                "1 month below the net OTIF target of 95 %",
            ),
        ],
    )


@pytest.fixture
def hand_card(world, monkeypatch):
    """The page shows the hand-built scorecard for whichever client and period it is asked for;
    its actions are the client's real ones, so their forms can be used."""

    def build(client, period, *, as_of=None):
        return hand_scorecard(client, period)

    monkeypatch.setattr("tower.scorecards.views.scorecard.build_scorecard", build)
    return build


def fake_evidence(frame):
    """What tower.scorecards.evidence.evidence returns, around a frame of records."""

    def evidence(client, period, code, *, as_of=None):
        return SimpleNamespace(
            kpi=None,
            title="The records",
            note="Made up.",
            frame=frame,
            columns=[
                (c, c.replace("_", " ").capitalize()) for c in frame.columns if c != "line_id"
            ],
        )

    return evidence


# ---------------------------------------------------------------------------------------------
# The page


@pytest.mark.parametrize("who", ROLES)
def test_the_scorecard_renders_for_every_role(world, client, who):
    client.force_login(user(world, who))
    response = client.get(PAGE)
    assert response.status_code == 200
    page = body(response)
    assert "Acme Pharma" in page and "Q2 2026" in page
    assert "figures as of" in page
    for group in GROUPS:
        assert f">{group}</h2>" in page, group
    for kpi in KPIS:
        block = tile(page, kpi.code)
        assert f'href="/scorecard/kpi/{kpi.code}/?client=ACME&amp;period=2026Q2"' in block
        assert re.search(r'class="status-(green|amber|red|nodata)" data-status=', block)
        assert f'id="trend-{kpi.code}" type="application/json"' in block
    # Net OTIF of the world's second quarter: 3 measured lines (1004 one day late but within
    # ACME's day of grace, 1006 not delivered, 1003 short with the client's own cause
    # approved; 1005 cancelled), so 2 of 3 met in net terms.
    net = tile(page, "otif_net")
    assert figure(net) == "66.7 %" and "2 of 3 lines" in net
    assert "Acme Pharma: commentary" in net
    assert "Acme Pharma: a second carrier" in page  # the agreed action
    assert "Acme Pharma market" in page  # the stock-out
    if who != "admin":  # the admin chooses among every client
        assert GLOBEX_MARK not in page.lower()
    for fmt in CONTENT_TYPES:
        assert f'href="/scorecard/export.{fmt}?client=ACME&amp;period=2026Q2"' in page


def test_the_page_opens_on_the_last_complete_quarter(world, client, monkeypatch):
    monkeypatch.setattr(
        "tower.scorecards.views.scorecard.timezone.localdate", lambda: dt.date(2026, 11, 21)
    )
    client.force_login(world.acme_viewer)
    response = client.get("/scorecard/")
    assert response.status_code == 200
    assert response.context["period"] == parse_period("2026Q3")
    assert response.context["client"] == world.acme


def test_a_month_can_be_chosen_instead_of_a_quarter(world, client):
    client.force_login(world.acme_staff)
    response = client.get("/scorecard/?client=ACME&period=2026-04")
    assert response.status_code == 200
    page = body(response)
    assert "April 2026" in page
    assert figure(tile(page, "otif_gross")) == "33.3 %"  # April: 1004 of 1003, 1004, 1006
    assert '<option value="2026-04" selected>' in page or 'value="2026-04" selected' in page


def test_a_period_with_no_data_shows_no_data_never_0_or_100(world, client):
    client.force_login(world.acme_viewer)
    page = body(client.get("/scorecard/?client=ACME&period=2019Q1"))
    for kpi in KPIS:
        block = tile(page, kpi.code)
        assert figure(block) == "no data", kpi.code
        assert 'class="status-nodata" data-status="no_data">No data<' in block, kpi.code
    assert not re.search(r"data-value>(0|100)(\.0)? ?%?<", page)
    assert "No survey answers for Q1 2019 yet" in page


def test_the_chooser_asks_htmx_for_the_scorecard_alone(world, client):
    client.force_login(world.acme_staff)
    page = body(client.get(PAGE))
    assert 'hx-get="/scorecard/" hx-target="#scorecard" hx-push-url="true"' in page
    fragment = client.get("/scorecard/?client=ACME&period=2026Q1", HTTP_HX_REQUEST="true")
    text = body(fragment)
    assert fragment.status_code == 200 and "<html" not in text and 'id="kpi-otif_net"' in text
    assert "<title>Scorecard · Acme Pharma · Q1 2026 · CMO Control Tower</title>" in text
    boosted = client.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in body(boosted)


def test_a_user_without_clients_is_told_so(world, client, db):
    client.force_login(make_user("nobody"))
    page = client.get("/scorecard/")
    assert page.status_code == 200 and "You do not have access to any client yet" in body(page)
    assert client.get("/scorecard/kpi/otif_net/").status_code == 200
    assert client.get("/scorecard/export.pdf").status_code == 404
    assert client.get("/scorecard/?client=ACME").status_code == 404


@pytest.mark.parametrize("who", CLIENT_SIDE)
def test_a_client_user_sees_only_their_own_client(world, client, who):
    client.force_login(user(world, who))
    page = body(client.get("/scorecard/"))
    assert 'id="sc-client"' not in page  # no client chooser: the client is implied
    assert 'name="client" value="ACME"' in page
    assert GLOBEX_MARK not in page.lower()
    for url in (
        "/scorecard/?client=GLOBEX",
        "/scorecard/?client=NO-SUCH",
        "/scorecard/kpi/otif_net/?client=GLOBEX",
        "/scorecard/export.json?client=GLOBEX",
    ):
        assert client.get(url).status_code == 404, url


def test_the_cmo_chooses_among_its_clients(world, client):
    client.force_login(world.admin)
    page = body(client.get(PAGE))
    chooser = re.search(r'<select id="sc-client".*?</select>', page, re.S).group(0)
    assert "ACME · Acme Pharma" in chooser and "GLOBEX · Globex Therapeutics" in chooser
    globex = body(client.get(f"/scorecard/?client=GLOBEX&period={SCORECARD_PERIOD}"))
    assert "Globex Therapeutics: commentary" in globex and "Acme Pharma:" not in globex


def test_hand_built_figures_targets_status_words_and_basis(world, client, hand_card):
    client.force_login(world.acme_viewer)
    page = body(client.get("/scorecard/?client=ACME&period=2026Q3"))
    net = tile(page, "otif_net")
    assert figure(net) == "96.4 %"
    assert "Target ≥ 95.0 %" in net and "(default)" not in net
    assert ">On target<" in net and "412 of 427 lines" in net
    assert HAND_COMMENTS["otif_net"].replace("&", "&amp;") in net
    assert ">Within tolerance<" in tile(page, "otif_gross")
    assert ">Off target<" in tile(page, "on_time")
    ship = tile(page, "ship_on_time")
    assert figure(ship) == "no data" and ">No data<" in ship
    assert figure(tile(page, "oos_events")) == "2 events"
    assert "Target ≤ 0 events" in tile(page, "oos_events")
    assert "minor 10.0 · major 2.5 · critical 0.0 per 100 batches" in tile(page, "incident_rate")
    assert "&lt;tooling&gt;" in tile(page, "incident_rate")  # commentary is escaped
    assert figure(tile(page, "satisfaction")) == "4.20 of 5"
    # The trend: four earlier quarters and this one, as chart data and as a table.
    chart = json.loads(
        re.search(r'<script id="trend-otif_net" type="application/json">(.*?)</script>', net).group(
            1
        )
    )
    assert chart["labels"] == ["Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026", "Q3 2026"]
    assert chart["values"] == [93.1, 94.5, None, 95.0, 96.4]
    assert chart["target"] == 95.0 and chart["unit"] == "%"
    assert (
        chart["links"][0] == "/scorecard/?client=ACME&period=2025Q3" and chart["links"][-1] is None
    )
    table = re.search(r'<table class="data compact kpi-trend-table">.*?</table>', net, re.S).group(
        0
    )
    assert re.findall(r"<th [^>]*>(.*?)</th>", table) == chart["labels"]
    assert re.findall(r"<td [^>]*>(.*?)</td>", table) == [
        "93.1 %",
        "94.5 %",
        "no data",
        "95.0 %",
        "96.4 %",
    ]
    # Survey, penalties, stock-outs.
    assert "data-survey-mean>4.20 of 5<" in page and "5 responses" in page
    assert 'Communication</td><td class="num">4.00 of 5' in page
    assert "Much better communication since the weekly call." in page
    assert "248.00 EUR" in page and "5,248.00 EUR" in page
    assert "3 CMO-attributable failed lines worth 12,400.00 EUR" in page
    # Each term's basis leads to what is behind it: the failed lines that count against the CMO,
    # or net OTIF month by month.
    assert (
        '<a href="/lines/?client=ACME&amp;from=2026-07&amp;to=2026-09&amp;outcome=net_failed">'
        "3 CMO-attributable failed lines" in page
    )
    assert '<a href="/scorecard/kpi/otif_net/?client=ACME&amp;period=2026Q3">' in page
    assert "AMX-500" in page and "ongoing" in page
    # A stock-out row leads to the stock-out's own page.
    assert '<a href="/stock-outs/41/">AMX-500</a>' in page
    # The summary counts every status.
    summary = re.search(r"<p class=\"scorecard-summary\".*?</p>", page, re.S).group(0)
    assert "19 KPIs:" in summary and "2 on target" in summary and "2 within tolerance" in summary
    assert "2 off target" in summary and "13 no data" in summary


# ---------------------------------------------------------------------------------------------
# Commentary and agreed actions: the CMO side writes, the client reads


@pytest.mark.parametrize("who", CMO_SIDE)
def test_the_cmo_side_edits_the_commentary(world, client, who):
    client.force_login(user(world, who))
    page = body(client.get(PAGE))
    assert 'hx-post="/scorecard/comment/"' in tile(page, "on_time")
    response = client.post(
        "/scorecard/comment/",
        {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "on_time", "text": " Carrier late "},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#kpi-on_time"
    saved = KpiComment.objects.get(client=world.acme, period=SCORECARD_PERIOD, kpi="on_time")
    assert saved.text == "Carrier late"
    assert "Carrier late" in tile(body(client.get(PAGE)), "on_time")

    # Inline (htmx): the answer is the commentary block alone.
    fragment = client.post(
        "/scorecard/comment/",
        {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "on_time", "text": "Second carrier"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    text = body(fragment)
    assert "<html" not in text and text.strip().startswith(
        '<div class="kpi-comment" id="comment-on_time">'
    )
    assert "Second carrier" in text and "Commentary saved." in text
    # An empty text removes it.
    client.post(
        "/scorecard/comment/",
        {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "on_time", "text": ""},
    )
    assert not KpiComment.objects.filter(client=world.acme, kpi="on_time").exists()


@pytest.mark.parametrize("who", CMO_SIDE)
def test_the_cmo_side_records_actions_and_changes_their_status(world, client, who):
    client.force_login(user(world, who))
    response = client.post(
        "/scorecard/actions/",
        {
            "client": "ACME",
            "period": SCORECARD_PERIOD,
            "title": "Weekly call with the planners",
            "owner": "Account manager",
            "due_date": "2026-07-15",
            "kpi": "otif_net",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#actions"
    added = Action.objects.get(client=world.acme, title="Weekly call with the planners")
    assert (added.owner, added.due_date, added.kpi, added.period) == (
        "Account manager",
        dt.date(2026, 7, 15),
        "otif_net",
        SCORECARD_PERIOD,
    )
    page = body(client.get(PAGE))
    assert "Weekly call with the planners" in page
    assert f'action="/scorecard/actions/{added.pk}/"' in page
    assert f'action="/scorecard/actions/{world.acme_action.pk}/"' in page

    answer = client.post(
        f"/scorecard/actions/{added.pk}/", {"status": "done", "period": SCORECARD_PERIOD}
    )
    assert answer.status_code == 302 and answer["Location"] == f"{PAGE}#actions"
    added.refresh_from_db()
    assert added.status == "done"

    # Bad input is a message, never a 500.
    followed = client.post(
        "/scorecard/actions/",
        {"client": "ACME", "period": SCORECARD_PERIOD, "title": "", "owner": ""},
        follow=True,
    )
    assert "The action was not added" in body(followed)
    followed = client.post(f"/scorecard/actions/{added.pk}/", {"status": "nope"}, follow=True)
    assert "Unknown status" in body(followed)


@pytest.mark.parametrize("who", CLIENT_SIDE)
def test_client_users_read_commentary_and_actions_but_cannot_write_them(world, client, who):
    client.force_login(user(world, who))
    page = body(client.get(PAGE))
    assert "Acme Pharma: commentary" in page and "Acme Pharma: a second carrier" in page
    assert "/scorecard/comment/" not in page and "/scorecard/actions/" not in page
    before = (
        list(KpiComment.objects.order_by("pk").values()),
        list(Action.objects.order_by("pk").values()),
    )
    posts = [
        (
            "/scorecard/comment/",
            {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "otif_net", "text": "Mine"},
        ),
        (
            "/scorecard/actions/",
            {"client": "ACME", "period": SCORECARD_PERIOD, "title": "Mine", "owner": "Me"},
        ),
        (f"/scorecard/actions/{world.acme_action.pk}/", {"status": "done"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403, url
    after = (
        list(KpiComment.objects.order_by("pk").values()),
        list(Action.objects.order_by("pk").values()),
    )
    assert after == before


def test_writes_are_post_only_and_need_the_security_token(world, client, db):
    client.force_login(world.acme_staff)
    for url in (
        "/scorecard/comment/",
        "/scorecard/actions/",
        f"/scorecard/actions/{world.acme_action.pk}/",
    ):
        assert client.get(url).status_code == 405, url
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(world.acme_staff)
    answer = browser.post(
        "/scorecard/comment/",
        {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "otif_net", "text": "x"},
    )
    assert answer.status_code == 403
    assert (
        KpiComment.objects.get(client=world.acme, kpi="otif_net").text == "Acme Pharma: commentary"
    )


# ---------------------------------------------------------------------------------------------
# Bad addresses


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/scorecard/?period=2026Q5", 400, "is not a period"),
        ("/scorecard/?period=March", 400, "is not a period"),
        ("/scorecard/?period=0001Q1", 400, "out of range"),
        ("/scorecard/kpi/otif_net/?period=nope", 400, "is not a period"),
        ("/scorecard/kpi/otif_net/?client=ACME&period=2026Q2&sort=nope", 400, "can be sorted by"),
        ("/scorecard/kpi/nope/", 404, "Not found"),
        ("/scorecard/export.docx", 404, "Not found"),
        ("/scorecard/export.json?period=2026Q9", 400, "is not a period"),
        ("/scorecard/actions/99999999999999999999/", 405, ""),
    ],
)
def test_bad_addresses_give_a_clear_answer(world, client, url, status, message):
    client.force_login(world.acme_viewer)
    response = client.get(url)
    assert response.status_code == status
    assert message in body(response)


def test_bad_form_data_never_gives_500(world, client):
    client.force_login(world.acme_staff)
    posts = [
        ("/scorecard/comment/", {}),
        ("/scorecard/comment/", {"client": "ACME", "period": "2026Q9", "kpi": "otif_net"}),
        ("/scorecard/comment/", {"client": "ACME", "period": "2026Q2", "kpi": "nope"}),
        ("/scorecard/actions/", {"client": "ACME", "period": "2026Q2", "due_date": "31/12"}),
        ("/scorecard/actions/99999999999999999999/", {"status": "done"}),
        (f"/scorecard/actions/{world.acme_action.pk}/", {"status": "done", "period": "x"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 404), (url, data, response.status_code)


# ---------------------------------------------------------------------------------------------
# One KPI and the records behind it


@pytest.mark.parametrize("who", ROLES)
def test_the_kpi_page_shows_definition_value_trend_and_records(world, client, who):
    client.force_login(user(world, who))
    response = client.get(f"/scorecard/kpi/otif_gross/?client=ACME&period={SCORECARD_PERIOD}")
    assert response.status_code == 200
    page = body(response)
    assert "Order lines on time and in full, every failure counted" in page  # the catalogue
    assert "data-value>33.3 %<" in page and "1 of 3 lines" in page
    assert 'id="trend-table"' in page and "<td>Q1 2026</td>" in page
    assert page.count('<tr><td class="nowrap">') + page.count("<tr><td>") >= 4
    rows = response.context["page_obj"]
    assert rows.paginator.count == 3
    assert "ACME-SO-1003" in page and "ACME-SO-1001" not in page  # 1001 was due in March
    # The order links to the line's page; the lines page lists the same lines.
    assert f'href="/lines/{world.acme_short.pk}/"' in page
    lines = "/lines/?client=ACME&amp;from=2026-04&amp;to=2026-06&amp;outcome=measured"
    assert lines in page
    listed = client.get(lines.replace("&amp;", "&"))
    assert listed.context["page_obj"].paginator.count == rows.paginator.count
    if who != "admin":
        assert GLOBEX_MARK not in page.lower()


def test_the_records_sort_by_a_column_and_page_by_50(world, client, monkeypatch):
    frame = pl.DataFrame(
        {
            "line_id": [world.acme_ok.pk] * 120,
            "order": [f"PO-{i:03d}" for i in range(120)],
            "days_late": [i % 7 for i in range(120)],
            "quantity": [i * 1.5 for i in range(120)],
            "due_date": [dt.date(2026, 4, 1) + dt.timedelta(days=i % 30) for i in range(120)],
            "counts": [None if i % 10 == 0 else i % 3 != 0 for i in range(120)],
        }
    )
    monkeypatch.setattr("tower.scorecards.views.scorecard.evidence", fake_evidence(frame))
    client.force_login(world.acme_viewer)
    base = f"/scorecard/kpi/on_time/?client=ACME&period={SCORECARD_PERIOD}"
    first = client.get(base)
    assert first.status_code == 200
    page = first.context["page_obj"]
    assert page.paginator.count == 120 and page.paginator.num_pages == 3
    assert len(page.object_list) == 50
    # (text, CSS class, link) per cell; the key column is not shown but links the first cell.
    assert page.object_list[0] == [
        ["PO-000", "nowrap", f"/lines/{world.acme_ok.pk}/"],
        ["0", "num", None],
        ["0.0", "num", None],
        ["2026-04-01", "nowrap", None],
        ["—", "", None],
    ]
    assert page.object_list[1][-1] == ["yes", "counts-true", None]
    assert page.object_list[3][-1] == ["no", "counts-false", None]
    last = client.get(base + "&sort=-order&page=3").context["page_obj"]
    assert last.number == 3 and len(last.object_list) == 20
    assert last.object_list[-1][0][0] == "PO-000" and last.object_list[0][0][0] == "PO-019"
    by_days = body(client.get(base + "&sort=days_late"))
    assert (
        'aria-sort="ascending"><a href="?client=ACME&amp;period=2026Q2&amp;sort=-days_late"'
        in by_days
    )
    assert ">Days late</a>" in by_days and ">Line id<" not in by_days
    assert "Page 1 of 3 · 120 records" in by_days


# ---------------------------------------------------------------------------------------------
# Downloads


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("fmt", sorted(CONTENT_TYPES))
def test_downloads_have_the_right_type_and_name(world, client, who, fmt):
    client.force_login(user(world, who))
    response = client.get(f"/scorecard/export.{fmt}?client=ACME&period={SCORECARD_PERIOD}")
    if fmt != "json":
        # The files are made by the worker (here at once): its job's page links the file.
        assert response.status_code == 302 and response["Location"].startswith("/jobs/")
        job = client.get(response["Location"]).text
        assert f"Download scorecard-ACME-2026Q2.{fmt}" in job
        response = client.get(response["Location"] + "download")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f".{fmt}" in disposition
    assert "ACME" in disposition and "2026Q2" in disposition
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "json":
        data = json.loads(content)
        assert data["client"]["code"] == "ACME" and data["period"]["key"] == SCORECARD_PERIOD
    elif fmt == "pdf":
        assert content.startswith(b"%PDF")
    else:
        assert content.startswith(b"PK")  # a zip: pptx and xlsx


def test_a_busy_database_is_a_sentence_on_the_inline_commentary_too(world, client, monkeypatch):
    """The htmx commentary answer shares run_step's handling (tower.web.pages.attempt_step):
    SQLite's "database is locked" is the busy sentence in the block, nothing is saved."""
    from django.db import OperationalError

    from tower.scorecards.views import scorecard as views
    from tower.workflow import BUSY_MESSAGE

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "set_kpi_comment", locked)
    client.force_login(world.acme_staff)
    data = {"client": "ACME", "period": SCORECARD_PERIOD, "kpi": "on_time", "text": "Late"}
    fragment = client.post("/scorecard/comment/", data, HTTP_HX_REQUEST="true")
    text = body(fragment)
    assert fragment.status_code == 200 and "<html" not in text
    assert BUSY_MESSAGE in text and "Commentary saved." not in text
    page = client.post("/scorecard/comment/", data, follow=True)
    assert BUSY_MESSAGE in body(page)
    assert not KpiComment.objects.filter(client=world.acme, kpi="on_time").exists()


def test_the_page_flags_an_overdue_action_as_the_pdf_does(world, client, monkeypatch):
    """Overdue is the register's one definition (open, due before today), on the page and in the
    downloads alike. Today is frozen at 2026-10-05: the world's action (open, due 2026-09-30) is
    overdue; one due that very day is not, nor one done long ago."""
    from tests.scorecards.test_exports import pdf_text
    from tower.actions import services as actions
    from tower.scorecards import services

    monkeypatch.setattr(
        "tower.scorecards.scorecard.timezone.localdate", lambda *a: dt.date(2026, 10, 5)
    )
    period = parse_period(SCORECARD_PERIOD)
    services.add_action(
        client=world.acme,
        period=period,
        title="Due today",
        owner="QA",
        due_date=dt.date(2026, 10, 5),
        user=world.admin,
    )
    done = services.add_action(
        client=world.acme,
        period=period,
        title="Done long ago",
        owner="QA",
        due_date=dt.date(2026, 5, 1),
        user=world.admin,
    )
    actions.set_status(action=done, status="done", user=world.admin)
    client.force_login(world.acme_viewer)
    response = client.get(PAGE)
    rows = {r["action"].title: r["action"].overdue for r in response.context["actions"]}
    assert rows == {
        "Acme Pharma: a second carrier": True,
        "Due today": False,
        "Done long ago": False,
    }
    page = body(response)
    assert page.count("data-overdue") == 1
    assert re.search(r"2026-09-30 <strong class=\"status-red\" data-overdue>overdue</strong>", page)
    report = pdf_text(
        download(client, f"/scorecard/export.pdf?client=ACME&period={SCORECARD_PERIOD}").content
    )
    assert report.count("Open, overdue") == 1
