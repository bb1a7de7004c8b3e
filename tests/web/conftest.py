"""A small two-client world for the web tests: ACME and GLOBEX with lines, root causes, a closed
month and a definition version each, a user for every role, and what the scorecard adds for the
second quarter of 2026 (SCORECARD_PERIOD): an agreement with a penalty term, a stock-out, an
agreed action, the CMO's commentary on net OTIF and survey answers.

Every GLOBEX string (order numbers, product codes and names, the client's code and name, its
internal note) contains "globex", so a page an ACME user sees must not contain "globex" at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import make_user
from tests.improvement.world import add_improvement_data
from tower.actions.models import Action
from tower.actions.services import NewAction
from tower.agreements import services as agreement_services
from tower.agreements.models import PenaltyTerm
from tower.communications import services as communication_services
from tower.communications.models import DelayNotice
from tower.engine.periods import parse_period
from tower.improvement.models import ImprovementProject, Lesson
from tower.jobs.models import Job, JobStatus
from tower.masterdata.models import Product
from tower.meetings import services as meeting_services
from tower.meetings.models import Meeting, MeetingSeries
from tower.orders.models import OrderLine
from tower.performance import services
from tower.performance.models import MonthClose, RootCause
from tower.scorecards import services as scorecard_services
from tower.stock.models import ClientStock
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Client, Role

HEADER = (
    "client,order,line,product,site,ordered_qty,committed_date,status,"
    "delivered_date,delivered_qty,delivery_id"
)

# Default definition except the version set below; outcomes (due in March and April 2026):
#   1001 OTIF, 1002 late 7 days, 1003 short, 1004 one day late, 1005 cancelled (excluded),
#   1006 open and overdue (failed: nothing delivered).
LINES = """
{c},{c}-SO-1001,1,{c}-AMOXI-500,EU1,100,2026-03-10,closed,2026-03-10,100,{c}-D1
{c},{c}-SO-1002,1,{c}-IBUPRO-200,EU1,50,2026-03-16,closed,2026-03-23,50,{c}-D2
{c},{c}-SO-1003,1,{c}-AMOXI-500,US1,80,2026-04-06,closed,2026-04-06,70,{c}-D3
{c},{c}-SO-1004,1,{c}-IBUPRO-200,EU1,20,2026-04-20,closed,2026-04-21,20,{c}-D4
{c},{c}-SO-1005,1,{c}-IBUPRO-200,EU1,30,2026-04-22,cancelled,,,
{c},{c}-SO-1006,1,{c}-AMOXI-500,US1,40,2026-04-24,open,,,
"""

PASSWORD = "x-long-password"  # tests.conftest.make_user's
ACME_NOTE = "INTERNAL-ACME-NOTE"
GLOBEX_NOTE = "INTERNAL-GLOBEX-NOTE"
CLOSED_MONTH = dt.date(2026, 3, 1)
SCORECARD_PERIOD = "2026Q2"  # the world's lines are due in March and April 2026
# Everything of GLOBEX's that an ACME user could be shown contains this (case-insensitive).
GLOBEX_MARK = "globex"


def lines_csv(*codes: str) -> str:
    return HEADER + "\n" + "".join(LINES.format(c=code).lstrip("\n") for code in codes)


@dataclass
class World:
    acme: Client
    globex: Client
    admin: object
    acme_staff: object
    acme_viewer: object
    acme_approver: object
    globex_viewer: object
    acme_late: OrderLine  # failed, root cause proposed with the internal note
    acme_short: OrderLine  # failed, root cause approved by the client
    acme_ok: OrderLine  # OTIF
    globex_late: OrderLine
    globex_short: OrderLine
    acme_close: MonthClose
    globex_close: MonthClose
    acme_action: Action
    globex_action: Action
    acme_stock_out: StockOutEvent
    globex_stock_out: StockOutEvent
    acme_penalty: PenaltyTerm
    globex_penalty: PenaltyTerm
    acme_job: Job
    globex_job: Job
    acme_improvement: ImprovementProject
    globex_improvement: ImprovementProject
    acme_lesson: Lesson
    globex_lesson: Lesson
    acme_notice: DelayNotice
    acme_open: OrderLine  # open and overdue (SO-1006): the delay notices' line
    globex_open: OrderLine
    globex_notice: DelayNotice
    acme_stock: ClientStock
    globex_stock: ClientStock
    acme_series: MeetingSeries
    globex_series: MeetingSeries
    acme_meeting: Meeting
    globex_meeting: Meeting

    @property
    def acme_users(self) -> dict[str, object]:
        return {
            "acme_viewer": self.acme_viewer,
            "acme_approver": self.acme_approver,
            "acme_staff": self.acme_staff,
        }


def line(client: Client, number: str) -> OrderLine:
    return OrderLine.objects.select_related("client").get(client=client, order__number=number)


def finished_job(client: Client, jobs_dir: Path) -> Job:
    """A finished job of the client with a file to download (not personal: its client's users
    all see it)."""
    job = Job.objects.create(
        client=client,
        kind="export_lines",
        title=f"Lines of {client.name}",
        key=f"world-{client.code}",
        status=JobStatus.DONE,
        message=f"{client.name}: done",
        result_name=f"lines-{client.code}.csv",
    )
    jobs_dir.mkdir(parents=True, exist_ok=True)
    (jobs_dir / f"{job.pk}-world.csv").write_text(f"client\n{client.name}\n", encoding="utf-8")
    job.result_file = f"{job.pk}-world.csv"
    job.save()
    return job


def build_world(
    acme: Client, globex: Client, write_csv, run_import, jobs_dir: Path | None = None
) -> World:
    jobs_dir = Path(jobs_dir or django_settings.JOBS_DIR)
    report = run_import(write_csv(lines_csv("ACME", "GLOBEX"), "world.csv"), create_missing=True)
    assert report.ok, report.errors
    for client in (acme, globex):
        for product in Product.objects.filter(client=client):
            product.name = f"{client.name} {product.code.split('-')[1].title()}"
            product.save(update_fields=["name"])

    admin = make_user("boss", admin=True)
    acme_staff = make_user("acme-staff", acme, Role.CMO_STAFF)
    acme_viewer = make_user("acme-viewer", acme, Role.CLIENT_VIEWER)
    acme_approver = make_user("acme-approver", acme, Role.CLIENT_APPROVER)
    globex_viewer = make_user("globex-viewer", globex, Role.CLIENT_VIEWER)

    services.set_definition(client=acme, parameters={"late_days": 1}, actor="boss", note="grace")
    services.set_definition(client=globex, parameters={"under_pct": 5.0}, actor="boss", note="tol")

    for client, user, note in ((acme, acme_staff, ACME_NOTE), (globex, admin, GLOBEX_NOTE)):
        code = client.code
        services.propose_root_cause(
            line=line(client, f"{code}-SO-1002"),
            code="MFG-EQUIPMENT",
            comment="The blister line broke down.",
            internal_note=f"{note}: night shift short of two operators",
            user=user,
        )
        services.propose_root_cause(
            line=line(client, f"{code}-SO-1003"),
            code="CLI-ORDER-CHANGE",
            comment="Quantity changed inside the frozen horizon.",
            internal_note=f"{note}: second",
            user=user,
        )
    services.approve_root_cause(
        root_cause=RootCause.objects.get(line=line(acme, "ACME-SO-1003")),
        user=acme_approver,
        comment="Agreed.",
    )
    closes = {
        client.code: services.close_month(
            client=client, period=CLOSED_MONTH, user=admin, note="March closed"
        )
        for client in (acme, globex)
    }
    scorecard = {
        client.code: add_scorecard_data(client, admin, survey_users)
        for client, survey_users in (
            (acme, [acme_viewer, acme_approver]),
            (globex, [globex_viewer]),
        )
    }
    improvement = {
        client.code: add_improvement_data(client, charterer, approver)
        for client, charterer, approver in (
            (acme, acme_staff, acme_approver),
            (globex, admin, globex_viewer),
        )
    }
    return World(
        acme=acme,
        globex=globex,
        admin=admin,
        acme_staff=acme_staff,
        acme_viewer=acme_viewer,
        acme_approver=acme_approver,
        globex_viewer=globex_viewer,
        acme_late=line(acme, "ACME-SO-1002"),
        acme_short=line(acme, "ACME-SO-1003"),
        acme_ok=line(acme, "ACME-SO-1001"),
        globex_late=line(globex, "GLOBEX-SO-1002"),
        globex_short=line(globex, "GLOBEX-SO-1003"),
        acme_close=closes["ACME"],
        globex_close=closes["GLOBEX"],
        acme_job=finished_job(acme, jobs_dir),
        globex_job=finished_job(globex, jobs_dir),
        acme_stock=client_stock(acme),
        globex_stock=client_stock(globex),
        acme_action=scorecard["ACME"]["action"],
        globex_action=scorecard["GLOBEX"]["action"],
        acme_stock_out=scorecard["ACME"]["stock_out"],
        globex_stock_out=scorecard["GLOBEX"]["stock_out"],
        acme_penalty=scorecard["ACME"]["penalty"],
        globex_penalty=scorecard["GLOBEX"]["penalty"],
        acme_improvement=improvement["ACME"]["improvement"],
        globex_improvement=improvement["GLOBEX"]["improvement"],
        acme_lesson=improvement["ACME"]["lesson"],
        globex_lesson=improvement["GLOBEX"]["lesson"],
        acme_open=line(acme, "ACME-SO-1006"),
        globex_open=line(globex, "GLOBEX-SO-1006"),
        acme_notice=delay_notice(acme, acme_staff, ACME_NOTE),
        globex_notice=delay_notice(globex, admin, GLOBEX_NOTE),
        **meeting_data(acme, acme_staff),
        **meeting_data(globex, admin),
    )


def meeting_data(client: Client, staff) -> dict:
    """A monthly review held with its decision and action; every text names the client."""
    series = meeting_services.add_series(
        client=client,
        kind="monthly_review",
        title=f"{client.name} monthly review",
        first_date=dt.date(2026, 4, 6),
        user=staff,
    )
    meeting = meeting_services.record_meeting(
        series=series,
        held_on=dt.date(2026, 4, 7),
        attendees=f"{client.name} planner\nCMO account manager",
        minutes=f"{client.name}: April figures reviewed",
        decisions=[f"{client.name}: weekly stock report"],
        actions_agreed=[NewAction(f"{client.name}: send the stock report", "Planning")],
        user=staff,
    )
    key = client.code.lower()
    return {f"{key}_series": series, f"{key}_meeting": meeting}


def delay_notice(client: Client, sender, note: str) -> DelayNotice:
    """A delay notice on the client's open line (SO-1006), with the CMO's internal note."""
    return communication_services.send_notice(
        client=client,
        lines=[line(client, f"{client.code}-SO-1006")],
        cause=f"{client.name}: the batch is held in QC",
        expected_date=dt.date(2026, 5, 15),
        remedial_actions=f"{client.name}: release by 2026-05-10",
        cmo_contact=f"{client.name} account manager",
        internal_note=note,
        user=sender,
    )


def client_stock(client: Client) -> ClientStock:
    """A stock row the client shared; its location names the client."""
    return ClientStock.objects.create(
        client=client,
        product=Product.objects.get(client=client, code=f"{client.code}-AMOXI-500"),
        location=f"{client.name} warehouse",
        date=dt.date(2026, 4, 1),
        on_hand=500,
        daily_demand=25,
    )


def add_scorecard_data(client: Client, admin, survey_users) -> dict:
    """The review's own records for SCORECARD_PERIOD; every text names the client."""
    period = parse_period(SCORECARD_PERIOD)
    name = client.name  # "Acme Pharma", "Globex Therapeutics"
    scorecard_services.set_agreement(
        client=client, oos_lookback_days=60, currency="EUR", user=admin
    )
    penalty = agreement_services.add_penalty_term(
        client=client, kind="line_value_pct", rate=2.0, description=f"{name} clause 12", user=admin
    )
    stock_out = scorecard_services.report_stock_out(
        client=client,
        product=Product.objects.get(client=client, code=f"{client.code}-AMOXI-500"),
        location=f"{name} market",
        start_date=dt.date(2026, 4, 20),
        end_date=dt.date(2026, 4, 30),
        note=f"{name} ran out",
        user=survey_users[0],
    )
    action = scorecard_services.add_action(
        client=client,
        period=period,
        title=f"{name}: a second carrier",
        owner=f"{name} logistics",
        due_date=dt.date(2026, 9, 30),
        kpi="on_time",
        user=admin,
    )
    scorecard_services.set_kpi_comment(
        client=client, period=period, kpi="otif_net", text=f"{name}: commentary", user=admin
    )
    for rating, user in enumerate(survey_users, start=3):
        scorecard_services.submit_survey(
            client=client,
            period=period,
            ratings=dict.fromkeys(
                ("delivery_reliability", "communication", "quality", "responsiveness", "overall"),
                rating,
            ),
            comment=f"{name} survey comment by {user.username}",
            user=user,
        )
    return {"action": action, "stock_out": stock_out, "penalty": penalty}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made per test; the production hasher's 0.4 s per password would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import, settings, tmp_path) -> World:
    settings.JOBS_DIR = tmp_path / "jobs"
    return build_world(acme, globex, write_csv, run_import, settings.JOBS_DIR)


@pytest.fixture
def signed_in(client):
    """Sign the test client in as a user and return it."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
