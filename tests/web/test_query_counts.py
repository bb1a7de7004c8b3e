"""Views run a bounded number of queries whatever the data size (design: "no N+1").

Every page is measured on the small world of conftest.py, then the world grows several times
over (more lines, products, sites and months, more root causes, more closed months, some of
them with newer data, more definition versions, a line with many deliveries and a long history)
and the same page must run exactly as many queries as before.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_user
from tower.actions import services as action_services
from tower.agreements import services as agreement_services
from tower.engine.periods import add_months, parse_period
from tower.masterdata.models import FunctionalArea, Product, Site
from tower.orders.models import OrderLine
from tower.performance import services
from tower.performance.models import (
    LineOutcome,
    MonthClose,
    RootCause,
)
from tower.quality.models import Batch, Capa, Deviation, PlanWeek
from tower.scorecards import services as scorecard_services
from tower.scorecards.models import SurveyResponse
from tower.tenancy.models import Role

from .conftest import HEADER, World, line

# The dashboard of a scope with closed months also reads their record snapshots and compares
# them with the live records (tower.performance.frozen): a fixed 9 queries, whatever the
# number of closes or records.
CEILING = 39
MONTHS = [add_months(dt.date(2025, 11, 1), i) for i in range(12)]  # 2025-11 .. 2026-10
SITES = ["EU1", "US1", "ASIA1"]
PRODUCTS = 24
LINES_PER_CLIENT = 360
CODES = ["MFG-EQUIPMENT", "QC-RELEASE-LATE", "CLI-ARTWORK", "SHP-TRANSPORT", "EXT-REGULATOR"]


def big_csv(code: str) -> str:
    """Many lines over twelve months with every kind of outcome: OTIF, late, short, split
    deliveries, cancelled, open and overdue."""
    rows = [HEADER]
    for i in range(LINES_PER_CLIENT):
        month = MONTHS[i % len(MONTHS)]
        due = month.replace(day=1 + i % 27)
        product = f"{code}-P{i % PRODUCTS:02d}"
        site = SITES[i % len(SITES)]
        order, number = f"{code}-SO-5{i // 3:04d}", str(1 + i % 3)
        qty = 10 + i % 90
        head = f"{code},{order},{number},{product},{site},{qty}"
        if i % 13 == 0:
            rows.append(f"{head},{due},cancelled,,,")
        elif i % 17 == 0:
            rows.append(f"{head},{due},open,,,")
        elif i % 11 == 0:  # split: half on time, the rest late
            late = due + dt.timedelta(days=1 + i % 20)
            rows.append(f"{head},{due},closed,{due},{qty / 2},{order}-{number}-a")
            rows.append(f"{head},{due},closed,{late},{qty / 2},{order}-{number}-b")
        else:
            delivered = due + dt.timedelta(days=(i % 5 == 0) * (1 + i % 19))
            quantity = qty - (i % 7 == 0) * 5
            rows.append(f"{head},{due},closed,{delivered},{quantity},{order}-{number}")
    return "\n".join(rows) + "\n"


def many_deliveries_csv() -> str:
    """One ACME line delivered in six parts, the last ones late."""
    rows = [HEADER]
    for part in range(6):
        day = dt.date(2026, 6, 10) + dt.timedelta(days=part * 2)
        rows.append(
            f"ACME,ACME-SO-9999,1,ACME-P00,EU1,60,2026-06-12,closed,{day},10,ACME-D99{part}"
        )
    return "\n".join(rows) + "\n"


def late_data_csv(code: str, month: dt.date) -> str:
    """Lines arriving after their month was closed: the close becomes stale."""
    rows = [HEADER]
    for i in range(5):
        due = month.replace(day=5 + i)
        rows.append(
            f"{code},{code}-SO-8{i:03d},1,{code}-P0{i},EU1,10,{due},closed,{due},10,{code}-L{i}"
        )
    return "\n".join(rows) + "\n"


def grow(world: World, write_csv, run_import) -> OrderLine:
    """Make the world several times larger; return a line with many deliveries and history."""
    for code in ("ACME", "GLOBEX"):
        report = run_import(write_csv(big_csv(code), f"big-{code}.csv"), create_missing=True)
        assert report.ok, report.errors
    assert run_import(write_csv(many_deliveries_csv(), "parts.csv")).ok
    for client in (world.acme, world.globex):
        failed = list(
            LineOutcome.objects.filter(client=client, state="measured", otif=False)
            .exclude(line__root_cause__isnull=False)
            .order_by("line_id")
            .values_list("line_id", flat=True)
        )
        for index, code in enumerate(CODES):
            services.propose_root_causes(
                client=client,
                line_ids=failed[index::6],  # every sixth stays unclassified
                code=code,
                comment=f"Cause {code}",
                internal_note="internal",
                user=world.admin,
            )
        approver = world.acme_approver if client == world.acme else None
        if approver is not None:
            proposed = RootCause.objects.filter(client=client, status="proposed").order_by("pk")
            for cause in proposed[:4]:
                services.approve_root_cause(root_cause=cause, user=approver)
            for cause in proposed[4:6]:
                services.dispute_root_cause(root_cause=cause, user=approver, comment="No.")
        services.set_definition(
            client=client, parameters={"late_days": 2}, actor="boss", note="more grace"
        )
        for month in MONTHS[1:4]:
            services.close_month(client=client, period=month, user=world.admin, note="closed")
        assert run_import(write_csv(late_data_csv(client.code, MONTHS[2]), "late.csv")).ok

    # A line with six deliveries, excluded and included again, its cause disputed and proposed
    # again: long delivery and history tables on its page.
    busy = line(world.acme, "ACME-SO-9999")
    services.set_line_exclusion(line=busy, reason="checking", user=world.admin)
    services.set_line_exclusion(line=busy, reason=None, user=world.admin)
    services.propose_root_cause(
        line=busy, code="SHP-TRANSPORT", comment="Truck", internal_note="x", user=world.acme_staff
    )
    cause = RootCause.objects.get(line=busy)
    services.dispute_root_cause(root_cause=cause, user=world.acme_approver, comment="No truck")
    services.propose_root_cause(
        line=busy, code="SHP-DOCUMENTS", comment="Papers", internal_note="y", user=world.acme_staff
    )
    assert OrderLine.objects.count() > 10 * 12
    assert MonthClose.objects.count() == 8
    for client in (world.acme, world.globex):
        grow_scorecard(world, client)
    return line(world.acme, "ACME-SO-9999")


def grow_scorecard(world: World, client) -> None:
    """Many more of everything the scorecard reads, over the months of the trend: batches with
    deviations and CAPAs, plan weeks, stock-outs, agreed actions, commentary, survey answers,
    KPI targets and penalty terms."""
    products = list(Product.objects.filter(client=client).order_by("code")[:6])
    sites = list(Site.objects.order_by("code"))
    areas = list(FunctionalArea.objects.order_by("code"))
    batches = []
    for i in range(150):
        start = MONTHS[i % len(MONTHS)] + dt.timedelta(days=i % 25)
        end = start + dt.timedelta(days=3 + i % 4)
        batches.append(
            Batch(
                client=client,
                number=f"{client.code}-B{i:04d}",
                product=products[i % len(products)],
                site=sites[i % len(sites)],
                planned_start=start - dt.timedelta(days=i % 2),
                actual_start=start,
                planned_end=end,
                actual_end=end,
                material_ready_date=start - dt.timedelta(days=1 - i % 3),
                planned_release_date=end + dt.timedelta(days=10),
                actual_release_date=end + dt.timedelta(days=8 + i % 5),
                theoretical_output=1000,
                actual_output=900 + i % 120,
                disposition=["released", "released", "rejected", "reworked", "on_hold"][i % 5],
            )
        )
    batches = Batch.objects.bulk_create(batches)
    deviations = Deviation.objects.bulk_create(
        Deviation(
            client=client,
            number=f"{client.code}-DEV{i:04d}",
            batch=batch,
            site=batch.site,
            opened_date=batch.actual_end,
            closed_date=batch.actual_end + dt.timedelta(days=20) if i % 2 else None,
            severity=["minor", "major", "critical"][i % 3],
            area=areas[i % len(areas)],
            title=f"{client.name} deviation {i}",
        )
        for i, batch in enumerate(batches[::3])
    )
    Capa.objects.bulk_create(
        Capa(
            client=client,
            number=f"{client.code}-CAPA{i:04d}",
            deviation=deviation,
            title=f"{client.name} CAPA {i}",
            due_date=deviation.opened_date + dt.timedelta(days=30),
            closed_date=deviation.opened_date + dt.timedelta(days=25 + i % 10) if i % 3 else None,
        )
        for i, deviation in enumerate(deviations)
    )
    monday = dt.date(2025, 11, 3)
    PlanWeek.objects.bulk_create(
        PlanWeek(
            client=client,
            product=product,
            site=sites[0],
            week=monday + dt.timedelta(weeks=w),
            planned_qty=100,
            released_qty=80 + (w * 7) % 40,
        )
        for w in range(52)
        for product in products
    )
    reporter = world.acme_viewer if client == world.acme else world.globex_viewer
    for i, product in enumerate(products):
        for month in MONTHS[4:9:2]:
            start = month + dt.timedelta(days=3 + i)
            scorecard_services.report_stock_out(
                client=client,
                product=product,
                location=f"{client.name} depot {i}",
                start_date=start,
                end_date=start + dt.timedelta(days=5 + i) if i % 2 else None,
                user=reporter,
            )
    for i, month in enumerate(MONTHS):
        period = (
            parse_period(f"{month:%Y-%m}")
            if i % 2
            else parse_period(f"{month.year}Q{(month.month - 1) // 3 + 1}")
        )
        action = scorecard_services.add_action(
            client=client,
            period=period,
            title=f"{client.name} action {i}",
            owner="Planning",
            due_date=month + dt.timedelta(days=60),
            kpi=["otif_net", "yield", ""][i % 3],
            user=world.admin,
        )
        if i % 4 == 0:
            action_services.set_status(action=action, status="done", user=world.admin)
    quarter = parse_period("2026Q2")
    for kpi in ("otif_gross", "on_time", "yield", "incident_rate", "oos_events", "satisfaction"):
        scorecard_services.set_kpi_comment(
            client=client, period=quarter, kpi=kpi, text=f"{client.name} on {kpi}", user=world.admin
        )
        agreement_services.set_kpi_target(
            client=client, kpi=kpi, target=50, tolerance=10, user=world.admin
        )
    for n in range(6):
        person = make_user(f"{client.code.lower()}-panel-{n}", client, Role.CLIENT_VIEWER)
        for key in ("2025Q4", "2026Q1", "2026Q2"):
            scorecard_services.submit_survey(
                client=client,
                period=parse_period(key),
                ratings=dict.fromkeys(SurveyResponse.QUESTIONS, 1 + n % 5),
                comment=f"{client.name} panel {n}",
                user=person,
            )
    agreement_services.add_penalty_term(
        client=client, kind="month_below_target", rate=5000, user=world.admin
    )
    # A second clause of the same kind: the exposure must not cost a query per clause.
    agreement_services.add_penalty_term(
        client=client, kind="line_value_pct", rate=1.0, description="second", user=world.admin
    )


def pages(world: World, busy_line: OrderLine, close: MonthClose) -> list[tuple[str, str]]:
    """(who, URL) of every page measured; the line and close differ between the two sizes."""
    period = "from=2025-11&to=2026-10"
    return [
        ("admin", f"/?{period}"),
        ("admin", f"/?client=ACME&{period}"),
        ("acme_approver", f"/?{period}"),
        ("acme_viewer", f"/?client=ACME&site=EU1&{period}"),
        ("admin", f"/lines/?outcome=failed&{period}"),
        ("acme_staff", f"/lines/?client=ACME&outcome=failed&{period}&sort=product"),
        ("acme_viewer", f"/lines/?status=proposed&{period}&sort=-days_late"),
        ("admin", f"/lines/{busy_line.pk}/"),
        ("acme_staff", f"/lines/{busy_line.pk}/"),
        ("acme_approver", f"/lines/{busy_line.pk}/"),
        ("admin", "/closes/"),
        ("acme_viewer", "/closes/"),
        ("admin", f"/closes/{close.pk}/"),
        ("admin", "/definitions/"),
        ("acme_viewer", "/definitions/"),
        ("admin", "/definitions/ACME/"),
        ("admin", f"/lines/export.csv?{period}"),
        ("acme_viewer", f"/lines/export.csv?{period}&outcome=failed"),
        ("acme_staff", f"/lines/export.xlsx?{period}"),
        # The scorecard: the page (CMO side with its forms, a client user) and one KPI's records.
        ("admin", "/scorecard/?client=ACME&period=2026Q2"),
        ("acme_staff", "/scorecard/?period=2026Q2"),
        ("acme_viewer", "/scorecard/?period=2026Q2"),
        ("acme_approver", "/scorecard/?period=2026-04"),
        ("acme_viewer", "/scorecard/kpi/otif_net/?period=2026Q2"),
        ("admin", "/scorecard/kpi/incident_rate/?client=GLOBEX&period=2026Q2&sort=-opened_date"),
        ("acme_staff", "/scorecard/kpi/otif_gross/?period=2026Q2&page=2&sort=-days_late"),
        ("acme_staff", "/scorecard/kpi/qc_release_on_time/?period=2026Q2"),
        ("acme_viewer", "/scorecard/kpi/oos_events/?period=2026Q2"),
        ("acme_approver", "/scorecard/kpi/satisfaction/?period=2026Q2"),
        ("acme_viewer", "/scorecard/kpi/schedule_adherence/?period=2026Q2"),
        ("acme_staff", "/scorecard/export.json?period=2026Q2"),
        # The daily board and the dashboard's worklists (tower.board).
        ("admin", "/board/?date=2026-04-07"),
        ("acme_viewer", "/board/?date=2026-06-16&site=EU1"),
        ("acme_staff", "/board/?date=2026-06-16&screen=1"),
        ("admin", f"/board/worklist/?{period}"),
        ("acme_staff", f"/board/worklist/?client=ACME&{period}"),
        ("acme_approver", f"/board/worklist/?{period}"),
    ]


def user_of(world: World, who: str):
    return world.admin if who == "admin" else getattr(world, who)


@pytest.mark.django_db
def test_pages_run_the_same_number_of_queries_whatever_the_data_size(
    world, client, write_csv, run_import, django_assert_max_num_queries, django_assert_num_queries
):
    def get(who: str, url: str):
        client.force_login(user_of(world, who))
        client.get(url)  # warm up: nothing cached by a first request is counted
        return url

    small: dict[tuple[str, str], int] = {}
    small_pages = pages(world, world.acme_late, world.acme_close)
    for who, url in small_pages:
        get(who, url)
        with django_assert_max_num_queries(CEILING, info=f"{who} {url}") as queries:
            response = client.get(url)
        assert response.status_code == 200, (who, url)
        small[(who, url)] = len(queries)

    busy = grow(world, write_csv, run_import)
    stale = MonthClose.objects.get(client=world.acme, period=MONTHS[2])
    large_pages = pages(world, busy, stale)
    for (who, small_url), (_, url) in zip(small_pages, large_pages, strict=True):
        get(who, url)
        expected = small[(who, small_url)]
        with django_assert_num_queries(expected, info=f"{who} {url} (small: {small_url})"):
            response = client.get(url)
        assert response.status_code == 200, (who, url)

    # The large world really is larger where the pages look.
    client.force_login(world.admin)
    listed = client.get("/lines/?outcome=failed&from=2025-11&to=2026-10")
    assert listed.context["page_obj"].paginator.count > 100
    dashboard = client.get("/?from=2025-11&to=2026-10").content.decode()
    assert dashboard.count("Newer data exists") >= 2
    card = client.get("/scorecard/?client=ACME&period=2026Q2").context["card"]
    assert len(card.stock_outs) >= 6 and len(card.actions) >= 4 and card.survey.responses > 6
    assert len(card.penalties) == 3
    assert card.kpi("incident_rate").denominator > 10
    records = client.get("/scorecard/kpi/otif_gross/?client=ACME&period=2026Q2&page=2")
    assert records.context["page_obj"].paginator.count > 50  # two pages at least
    assert records.context["page_obj"].number == 2
    released = client.get("/scorecard/kpi/qc_release_on_time/?client=ACME&period=2026Q2")
    assert released.context["page_obj"].paginator.count > 10
    print(
        "\nqueries per page:",
        *(f"{n:3d}  {who} {url}" for (who, url), n in small.items()),
        sep="\n",
    )
