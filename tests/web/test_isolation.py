"""Tenancy over every URL of the app, for every role (design: "Tenancy is default-deny").

The URLs come from the URL conf, not from a hand list: each pattern's arguments are filled with
another client's objects and the answer must be a 404, exactly like for an object that does not
exist. Lists and downloads never include another client's rows, client users never see the CMO's
internal notes, anonymous visitors are sent to sign in. A new URL pattern whose arguments this
module cannot fill, or a new POST-only view without plausible form data here, fails the tests,
so no URL slips through untested.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pptx
import pypdf
import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.agreements.world import team_member
from tests.conftest import (
    csv_writer,
    download,
    import_as_operator,
    make_acme,
    make_globex,
    shared_rows,
)
from tests.escalations.world import escalation_of
from tests.harmonisation.world import fmea_action, fmea_item
from tests.projects.world import project_world
from tests.webhooks.world import webhook_delivery, webhook_endpoint
from tower.actions.models import Action
from tower.agreements.models import (
    EARLY_WARNING_DEFAULTS,
    Agreement,
    EarlyWarningSettings,
    EscalationLevel,
    EscalationTrigger,
    KpiTarget,
    PenaltyTerm,
    TeamMember,
)
from tower.communications.models import (
    Acknowledgement,
    DelayNotice,
    LogEntry,
    Mail,
    NoticeLine,
    Reply,
)
from tower.engine.kpi_catalogue import KPIS
from tower.engine.periods import parse_period
from tower.escalations.models import Escalation, EscalationStep
from tower.harmonisation.forms import EXPORT_FORMATS as HARMONISATION_EXPORTS
from tower.harmonisation.models import FmeaAction, FmeaItem, RatingLog
from tower.improvement.models import (
    PHASES,
    ImprovementProject,
    Lesson,
    LessonApplication,
    Tollgate,
)
from tower.meetings.models import Decision, Meeting, MeetingSeries
from tower.orders.models import OrderLine
from tower.performance.exports import FORMATS
from tower.performance.models import (
    MonthClose,
    RootCause,
)
from tower.projects.models import ChangeRequest, ChecklistItem, Phase, Project
from tower.risks.models import Risk, RiskAction, RiskComment
from tower.scorecards.models import (
    KpiComment,
    SurveyResponse,
)
from tower.scorecards.scorecard import build_scorecard
from tower.scorecards.views.scorecard import EXPORTS
from tower.stock.models import ClientStock
from tower.stockouts.models import StockOutEvent, StockOutLink
from tower.webhooks.models import Delivery, Endpoint

from .conftest import ACME_NOTE, GLOBEX_MARK, GLOBEX_NOTE, SCORECARD_PERIOD, World, build_world

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
    ("scorecard", "pk"): lambda world, client: mine(world, client, "action").pk,
    ("stock-outs", "pk"): lambda world, client: mine(world, client, "stock_out").pk,
    ("agreements", "code"): lambda world, client: client.code,
    ("agreements", "pk"): lambda world, client: mine(world, client, "penalty").pk,
    ("agreements", "member"): lambda world, client: team_member(client).pk,
    ("agreements", "endpoint"): lambda world, client: webhook_endpoint(client).pk,
    ("webhooks", "pk"): lambda world, client: webhook_delivery(client).pk,
    ("jobs", "pk"): lambda world, client: mine(world, client, "job").pk,
    ("projects", "pk"): lambda world, client: project_world(world, client).project.pk,
    ("projects", "phase"): lambda world, client: project_world(world, client).phase.pk,
    ("projects", "item"): lambda world, client: project_world(world, client).item.pk,
    ("projects", "change"): lambda world, client: project_world(world, client).change.pk,
    ("risks", "project"): lambda world, client: project_world(world, client).project.pk,
    ("risks", "pk"): lambda world, client: project_world(world, client).risk.pk,
    ("risks", "action"): lambda world, client: project_world(world, client).action.pk,
    ("improvement", "pk"): lambda world, client: mine(world, client, "improvement").pk,
    ("lessons", "pk"): lambda world, client: mine(world, client, "lesson").pk,
    # A client project's lessons (the fragment the project page loads).
    ("lessons", "project"): lambda world, client: project_world(world, client).project.pk,
    ("communications", "pk"): lambda world, client: mine(world, client, "notice").pk,
    ("communications", "line"): lambda world, client: world_line(world, client).pk,
    ("stock", "pk"): lambda world, client: mine(world, client, "stock").pk,
    # The line page's milestone-chain fragment (tower.outlook).
    ("outlook", "pk"): lambda world, client: world_line(world, client).pk,
    ("harmonisation", "pk"): lambda world, client: fmea_item(client).pk,
    ("harmonisation", "action"): lambda world, client: fmea_action(client).pk,
    ("escalations", "pk"): lambda world, client: escalation_of(world, client).pk,
    ("actions", "pk"): lambda world, client: mine(world, client, "action").pk,
    ("meetings", "series"): lambda world, client: mine(world, client, "series").pk,
    ("meetings", "pk"): lambda world, client: mine(world, client, "meeting").pk,
}
MISSING = {
    ("lines", "pk"): MISSING_PK,
    ("closes", "pk"): MISSING_PK,
    ("definitions", "code"): "x",
    ("scorecard", "pk"): MISSING_PK,
    ("stock-outs", "pk"): MISSING_PK,
    ("agreements", "code"): "x",
    ("agreements", "pk"): MISSING_PK,
    ("agreements", "member"): MISSING_PK,
    ("agreements", "endpoint"): MISSING_PK,
    ("webhooks", "pk"): MISSING_PK,
    ("jobs", "pk"): MISSING_PK,
    ("projects", "pk"): MISSING_PK,
    ("projects", "phase"): MISSING_PK,
    ("projects", "item"): MISSING_PK,
    ("projects", "change"): MISSING_PK,
    ("risks", "project"): MISSING_PK,
    ("risks", "pk"): MISSING_PK,
    ("risks", "action"): MISSING_PK,
    ("improvement", "pk"): MISSING_PK,
    ("lessons", "pk"): MISSING_PK,
    ("lessons", "project"): MISSING_PK,
    ("communications", "pk"): MISSING_PK,
    ("communications", "line"): MISSING_PK,
    ("stock", "pk"): MISSING_PK,
    ("outlook", "pk"): MISSING_PK,
    ("harmonisation", "pk"): MISSING_PK,
    ("harmonisation", "action"): MISSING_PK,
    ("escalations", "pk"): MISSING_PK,
    ("actions", "pk"): MISSING_PK,
    ("meetings", "series"): MISSING_PK,
    ("meetings", "pk"): MISSING_PK,
}
PLAIN = {
    ("lines", "fmt"): sorted(FORMATS),
    ("scorecard", "fmt"): sorted(EXPORTS),
    ("harmonisation", "fmt"): sorted(HARMONISATION_EXPORTS),
    # Every KPI: the records behind each come from different tables.
    ("scorecard", "kpi"): [kpi.code for kpi in KPIS],
    ("risks", "fmt"): ["pdf", "xlsx"],
    ("communications", "fmt"): sorted(FORMATS),
    ("actions", "fmt"): ["csv", "xlsx"],
    # Site calendars belong to the CMO's sites, not to a client (SHARED_FORMS below).
    ("calendars", "code"): ["EU1"],
    # So do their process maps.
    ("process", "code"): ["EU1"],
}
# Forms that edit the CMO's own shared records (a site's calendar), which belong to no client:
# every signed-in user reads them, client users' POSTs are refused (403) and the CMO's staff
# change them (test_shared_forms_are_changed_by_the_cmo_only).
SHARED_FORMS = {
    "calendars:site": {"days": "mon-fri", "hours": "08:00-17:00", "time_zone": "Europe/Berlin"},
    "processes:edit": {"op": "department", "code": "isolation", "name": "Isolation test"},
}
# Who of ACME's roles changes each shared form (the rest get 403); the process map is changed by
# CMO admins only (tests/processes/test_edit.py signs one in).
SHARED_FORM_EDITORS = {"calendars:site": {"acme_staff"}, "processes:edit": set()}


def world_line(world: World, client) -> OrderLine:
    """A failed line with a proposed root cause (so every line workflow step applies to it)."""
    return world.acme_late if client == world.acme else world.globex_late


def world_close(world: World, client) -> MonthClose:
    return world.acme_close if client == world.acme else world.globex_close


def mine(world: World, client, thing: str):
    """The world's action, stock_out, penalty or job of `client`."""
    return getattr(world, f"{'acme' if client == world.acme else 'globex'}_{thing}")


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
    "performance:line_reopen": lambda world, client: {"reason": "isolation test"},
    "performance:close_month": lambda world, client: {"client": client.code, "month": "2026-04"},
    "performance:reopen_month": lambda world, client: {"reason": "isolation test"},
    "scorecards:comment": lambda world, client: {
        "client": client.code,
        "period": SCORECARD_PERIOD,
        "kpi": "otif_net",
        "text": "Commented by the isolation test",
    },
    "scorecards:action_add": lambda world, client: {
        "client": client.code,
        "period": SCORECARD_PERIOD,
        "title": "Agreed by the isolation test",
        "owner": "isolation test",
        "due_date": "2026-09-30",
        "kpi": "otif_net",
    },
    "scorecards:action": lambda world, client: {"status": "done", "period": SCORECARD_PERIOD},
    "scorecards:stock_out_end": lambda world, client: {"end_date": "2026-05-02"},
    "scorecards:penalty_add": lambda world, client: {
        "kind": "month_below_target",
        "rate": "1000",
        "description": "isolation test",
    },
    "scorecards:penalty_delete": lambda world, client: {},
    "projects:status": lambda world, client: {"status": "on_hold"},
    "projects:milestone": lambda world, client: {"forecast_date": "2026-05-01"},
    "projects:checklist_add": lambda world, client: {
        "phase": str(project_world(world, client).phase.pk),
        "template": str(project_world(world, client).item.checklist.template_id),
    },
    "projects:template_add": lambda world, client: {"name": "isolation test", "items": "a"},
    "projects:tick": lambda world, client: {"done": "1"},
    "projects:change_add": lambda world, client: {
        "title": "isolation test",
        "impact_days": "3",
        "impact_cost": "10",
    },
    "projects:decide": lambda world, client: {"decision": "approve", "comment": "ok"},
    "projects:comment": lambda world, client: {"text": "isolation test"},
    "risks:rate": lambda world, client: {"probability": "1", "impact": "1"},
    "risks:rerate": lambda world, client: {"probability": "1", "impact": "1"},
    "risks:plan": lambda world, client: {"owner": "isolation test", "response": "x"},
    "risks:action_add": lambda world, client: {"title": "isolation test", "owner": "x"},
    "risks:action_close": lambda world, client: {},
    "risks:review": lambda world, client: {"note": "isolation test"},
    "risks:comment": lambda world, client: {"text": "isolation test"},
    "improvement:tollgate": lambda world, client: {"phase": "define", "decision": "go"},
    "improvement:application_add": lambda world, client: {"site": "EU1"},
    "improvement:spread": lambda world, client: {
        "application": str(mine(world, client, "lesson").applications.get().pk),
        "status": "spread",
        "note": "isolation test",
    },
    "communications:acknowledge": lambda world, client: {"comment": "isolation test"},
    "communications:reply": lambda world, client: {"text": "isolation test"},
    "communications:resend": lambda world, client: {},
    "scorecards:early_warning": lambda world, client: (
        dict.fromkeys(EARLY_WARNING_DEFAULTS, "3") | {"reason": "isolation test"}
    ),
    "harmonisation:rate": lambda world, client: {
        **RATINGS,
        "reason": "Rated by the isolation test",
    },
    "harmonisation:revise": lambda world, client: {
        **RATINGS,
        "action": str(fmea_action(client).pk),
        "reason": "Revised by the isolation test",
    },
    "harmonisation:action_add": lambda world, client: {
        "description": "Added by the isolation test",
        "owner": "isolation test",
        "due_date": "2026-09-30",
    },
    "harmonisation:action_complete": lambda world, client: {"note": "isolation test"},
    "harmonisation:action_verify": lambda world, client: {"note": "isolation test"},
    "scorecards:quality_agreement": lambda world, client: {
        "number": "QA-ISO-1",
        "version": "2",
        "effective_date": "2026-01-01",
        "reason": "isolation test",
    },
    "actions:status": lambda world, client: {"status": "done"},
    "actions:reschedule": lambda world, client: {"owner": "isolation test", "due_date": ""},
    "meetings:series_add": lambda world, client: {
        "client": client.code,
        "kind": "qbr",
        "title": "Scheduled by the isolation test",
        "first_date": "2026-05-04",
    },
    "meetings:series_edit": lambda world, client: {
        "title": "Changed by the isolation test",
        "every": "2",
        "unit": "weeks",
        "next_due": "2026-06-01",
        "active": "on",
    },
    "meetings:record": lambda world, client: {
        "held_on": "2026-05-05",
        "attendees": "isolation test",
        "minutes": "isolation test",
        "decisions": "isolation test",
        "action-0-title": "isolation test",
        "action-0-owner": "isolation test",
    },
    "meetings:meeting_action_add": lambda world, client: {
        "new-title": "isolation test",
        "new-owner": "isolation test",
    },
    "agreements:team_add": lambda world, client: TEAM_MEMBER,
    "agreements:team_remove": lambda world, client: {"reason": "isolation test"},
    "escalations:acknowledge": lambda world, client: {"text": "isolation test"},
    "scorecards:escalation_levels": lambda world, client: {
        "level1_cmo_person": "isolation test",
        "level1_client_person": "isolation test",
        "level1_response_hours": "4",
    },
    "scorecards:escalation_triggers": lambda world, client: {
        "enabled_line_late": "on",
        "threshold_line_late": "3",
    },
    "escalations:comment": lambda world, client: {"text": "isolation test"},
    "escalations:resolve": lambda world, client: {"text": "isolation test"},
    "webhooks:endpoint_add": lambda world, client: {
        "name": "Added by the isolation test",
        "url": "https://hooks.example.com/isolation",
        "format": "json",
        "active": "on",
    },
    "webhooks:endpoint_test": lambda world, client: {},
    "webhooks:endpoint_secret": lambda world, client: {},
    "webhooks:delivery_retry": lambda world, client: {},
}
# A person of the service agreement's team, as the agreement page's form posts it.
TEAM_MEMBER = {
    "side": "client",
    "function": "quality",
    "name": "Added by the isolation test",
    "email": "isolation@example.com",
    "phone": "+49 30 1234 5678",
    "reason": "isolation test",
}
RATINGS = {
    "severity_site": "2",
    "severity_client": "2",
    "severity_patient": "2",
    "occurrence": "2",
    "detection": "2",
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


# Forms that answer GET with the form and POST with the step (so the walk above never posts to
# them): (query string, form data) naming the client's objects, as a user of it would send.
FORM_POSTS = {
    "scorecards:survey": lambda world, client: (
        f"?client={client.code}&period={SCORECARD_PERIOD}",
        {q: "5" for q in SurveyResponse.QUESTIONS} | {"comment": "isolation test"},
    ),
    "scorecards:stock_out_report": lambda world, client: (
        f"?client={client.code}",
        {
            "product": f"{client.code}-IBUPRO-200",
            "location": "isolation test",
            "start_date": "2026-05-01",
        },
    ),
    "projects:new": lambda world, client: (
        f"?client={client.code}",
        {"code": "ISO-1", "name": "isolation test", "kind": "other", "start_date": "2026-01-05"},
    ),
    "risks:new": lambda world, client: (
        "",
        {"title": "isolation test", "owner": "x", "probability": "3", "impact": "3"},
    ),
    "improvement:project_new": lambda world, client: (
        f"?client={client.code}",
        {
            "title": "Chartered by the isolation test",
            "problem": "isolation test",
            "kpi": "on_time",
            "baseline": "50",
            "target": "90",
            "started_on": "2026-03-01",
            "sponsor": "isolation test",
        }
        | {f"approver_{phase}": "boss" for phase in PHASES},
    ),
    "harmonisation:item_new": lambda world, client: (
        f"?client={client.code}",
        {
            **RATINGS,
            "client": client.code,
            "process_area": "batch_records",
            "sites": ["EU1"],
            "difference": "Added by the isolation test",
            "failure_mode": "isolation test",
            "reason": "isolation test",
        },
    ),
    "harmonisation:item_edit": lambda world, client: (
        "",
        {
            "process_area": "batch_records",
            "sites": ["EU1"],
            "difference": "Changed by the isolation test",
            "failure_mode": "isolation test",
            "reason": "isolation test",
        },
    ),
    "improvement:lesson_new": lambda world, client: (
        f"?client={client.code}",
        {
            "client": client.code,
            "title": "Recorded by the isolation test",
            "source": "other",
            "what_happened": "isolation test",
            "lesson": "isolation test",
        },
    ),
    "communications:compose": lambda world, client: (
        "",
        {
            "lines": str(world.globex_open.pk if client == world.globex else world.acme_open.pk),
            "widen": "lines",
            "expected_date": "2026-05-20",
            "cause": "isolation test",
            "remedial_actions": "isolation test",
            "cmo_contact": "isolation test",
        },
    ),
    "stock:row": lambda world, client: (
        "",
        {"date": "2026-04-02", "on_hand": "1", "daily_demand": "1"},
    ),
    "agreements:team_member": lambda world, client: ("", TEAM_MEMBER),
    "escalations:new": lambda world, client: (
        "",
        {"client": client.code, "title": "isolation test", "text": "isolation test"},
    ),
    "webhooks:endpoint": lambda world, client: (
        "",
        {"name": "Renamed by the isolation test", "url": "", "format": "slack"},
    ),
    "webhooks:endpoint_archive": lambda world, client: ("", {"reason": "isolation test"}),
    "scorecards:agreement": lambda world, client: (
        "",
        {"oos_lookback_days": "30", "currency": "USD", "reason": "isolation test"}
        | {f"target_{k.code}": "50" for k in KPIS}
        | {f"tolerance_{k.code}": "1" for k in KPIS},
    ),
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
    """What a user sees in a response: the page, the CSV or JSON, every cell of an XLSX, the
    text of a PDF, or every text, table cell and chart label of a PowerPoint deck."""
    kind = response["Content-Type"].split(";")[0]
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]  # read again by the next call
    else:
        content = getattr(response, "content", b"")
    if kind == FORMATS["xlsx"]:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = (
            "" if value is None else str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
        return "\n".join(cells)
    if kind == "application/pdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if kind == "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        return deck_text(pptx.Presentation(io.BytesIO(content)))
    if kind == "application/json":
        return json.dumps(json.loads(content), ensure_ascii=False)
    # A page's CSRF token is random text: "acme" turned up in one by chance (about 1 run in 140).
    return CSRF_TOKENS.sub("", content.decode())


# The token in the htmx headers of <body> and in each form's hidden field.
CSRF_TOKENS = re.compile(r'(?<="X-CSRFToken": ")[^"]*|(?<=name="csrfmiddlewaretoken" value=")[^"]*')


def deck_text(deck) -> str:
    seen = []
    for slide in deck.slides:
        shapes = list(slide.shapes)
        if slide.has_notes_slide:
            shapes += list(slide.notes_slide.shapes)
        for shape in shapes:
            if shape.has_text_frame:
                seen.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                seen += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                for plot in shape.chart.plots:
                    seen += [str(c) for c in plot.categories]
                    seen += [series.name or "" for series in plot.series]
    return "\n".join(seen)


def globex_state(world: World) -> list:
    """Everything a POST could change for GLOBEX (each model once: one list, so that no app's
    models drop out of the comparison when another app adds its own)."""
    # Built on first use: they must exist before the first snapshot.
    project_world(world, world.globex)
    escalation_of(world, world.globex)
    fmea_action(world.globex)  # its FMEA row and action
    team_member(world.globex)  # its team member
    webhook_delivery(world.globex)  # its webhook endpoint and delivery
    models = [
        # measuring, agreements and the scorecard
        RootCause, MonthClose, OrderLine, KpiTarget, Agreement, PenaltyTerm, KpiComment,
        SurveyResponse, StockOutEvent, StockOutLink, Action,
        # early warning and one voice
        EarlyWarningSettings, ClientStock, DelayNotice, NoticeLine, Acknowledgement, Reply,
        LogEntry, Mail,
        # projects, risks, improvement, harmonisation
        Project, Phase, ChecklistItem, ChangeRequest, Risk, RiskAction, RiskComment,
        ImprovementProject, Tollgate, Lesson, LessonApplication, FmeaItem, FmeaAction, RatingLog,
        # service agreement, escalations, meetings, webhooks
        TeamMember, Endpoint, Delivery, Escalation, EscalationStep, EscalationLevel,
        EscalationTrigger, MeetingSeries, Meeting, Decision,
    ]  # fmt: skip
    return [
        list(model.objects.filter(client=world.globex).order_by("pk").values()) for model in models
    ]


class FollowingJobs(DjangoClient):
    """A download the worker makes (tower.jobs) answers with the job's page: follow it to the
    file, as the user does, so the file's content is checked like any other download."""

    def get(self, path, *args, **kwargs):
        if args or kwargs:
            return super().get(path, *args, **kwargs)
        return download(super(), path)


@pytest.fixture
def client():
    return FollowingJobs()


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The web world (tests/web/conftest.py) made once for the module, with every part the walk
    fills URLs with for both clients (projects, escalations, FMEA rows, team, webhooks): each
    test's transaction rolls back to exactly this state (tests.conftest.shared_rows)."""
    folder = tmp_path_factory.mktemp("isolation-world")
    jobs = folder / "jobs"

    def build() -> tuple[World, Path]:
        world = build_world(
            make_acme(), make_globex(), csv_writer(folder), import_as_operator, jobs
        )
        for client in (world.acme, world.globex):
            project_world(world, client)
            escalation_of(world, client)
            fmea_action(client)
            team_member(client)
            webhook_delivery(client)
        return world, jobs

    yield from shared_rows(django_db_blocker, jobs, build)


@pytest.fixture
def world(shared_world, db, settings, tmp_path) -> World:
    """The module's world for one test: a copy (what a test changes in its objects stays in the
    test), with the world's job files in the test's own jobs folder."""
    world, jobs = shared_world
    settings.JOBS_DIR = tmp_path / "jobs"
    shutil.copytree(jobs, settings.JOBS_DIR, dirs_exist_ok=True)
    return copy.deepcopy(world)


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
        "agreements:definitions",
        "agreements:definition",
        "scorecards:scorecard",
        "scorecards:kpi",
        "scorecards:export",
        "scorecards:comment",
        "scorecards:action_add",
        "scorecards:action",
        "scorecards:survey",
        "scorecards:stock_outs",
        "scorecards:stock_out",
        "scorecards:stock_out_report",
        "scorecards:stock_out_end",
        "scorecards:agreements",
        "scorecards:agreement",
        "scorecards:penalty_add",
        "scorecards:penalty_delete",
        "scorecards:early_warning",
        "stock:list",
        "stock:row",
        "jobs:job",
        "jobs:download",
        "communications:log",
        "communications:log_export",
        "communications:inbox",
        "communications:inbox_count",
        "communications:compose",
        "communications:notice",
        "communications:acknowledge",
        "communications:reply",
        "communications:resend",
        "communications:line_notices",
        "agreements:team_add",
        "agreements:team_member",
        "agreements:team_remove",
        "agreements:who_to_call",
        "webhooks:endpoints",
        "webhooks:endpoint_add",
        "webhooks:endpoint",
        "webhooks:endpoint_test",
        "webhooks:endpoint_secret",
        "webhooks:endpoint_archive",
        "webhooks:deliveries",
        "webhooks:delivery",
        "webhooks:delivery_retry",
        "board:board",
        "board:worklist",
        "harmonisation:item_new",
        "harmonisation:item_edit",
        "processes:edit",
        "improvement:project_lessons",
    } <= names
    assert not any(name.startswith("admin:") for name in names)
    assert "login" not in names
    # Each download format is tried, and every KPI's records.
    assert {u.url for u in urls(world, world.acme) if u.route.kwargs == ("fmt",)} == {
        "/lines/export.csv",
        "/lines/export.xlsx",
        "/scorecard/export.json",
        "/scorecard/export.pdf",
        "/scorecard/export.pptx",
        "/scorecard/export.xlsx",
        "/communications/export.csv",
        "/communications/export.xlsx",
        "/harmonisation/export.csv",
        "/harmonisation/export.xlsx",
        "/actions/export.csv",
        "/actions/export.xlsx",
    }
    kpi_pages = [u.url for u in urls(world, world.acme) if u.route.name == "scorecards:kpi"]
    assert len(kpi_pages) == len(KPIS) and "/scorecard/kpi/otif_net/" in kpi_pages
    # The scorecard's own objects are filled in, and each is the client's.
    filled = {u.url for u in urls(world, world.globex) if u.owned}
    assert f"/scorecard/actions/{world.globex_action.pk}/" in filled
    assert f"/stock-outs/{world.globex_stock_out.pk}/" in filled
    assert f"/agreements/GLOBEX/penalties/{world.globex_penalty.pk}/delete/" in filled
    assert f"/communications/notices/{world.globex_notice.pk}/" in filled
    assert f"/communications/lines/{world.globex_late.pk}/" in filled
    assert f"/actions/{world.globex_action.pk}/" in filled
    assert f"/meetings/series/{world.globex_series.pk}/record/" in filled
    assert f"/meetings/{world.globex_meeting.pk}/" in filled
    assert f"/agreements/GLOBEX/team/{team_member(world.globex).pk}/remove/" in filled
    assert f"/webhooks/{webhook_delivery(world.globex).pk}/retry/" in filled
    assert f"/agreements/GLOBEX/webhooks/{webhook_endpoint(world.globex).pk}/test/" in filled


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
            own = client.get(ours.url)
            assert own.status_code == 200, (role, ours.url)
            no_internal_note(own, role, ours.url)
        else:
            # A list or a download: only the user's own client's rows.
            assert response.status_code == 200, (role, theirs.url, response.status_code)
            assert GLOBEX_MARK not in text(response).lower(), (role, theirs.url)
            no_internal_note(response, role, theirs.url)  # the same URL as ours
            named = client.get(f"{theirs.url}?client={world.globex.code}")
            unknown = client.get(f"{theirs.url}?client={MISSING_CODE}")
            assert named.status_code == unknown.status_code, (role, theirs.url)
            assert GLOBEX_MARK not in text(named).lower(), (role, theirs.url)
    assert globex_state(world) == before


@pytest.mark.parametrize("role", ACME_ROLES)
def test_forms_that_also_answer_get_refuse_another_clients_objects(world, client, role):
    client.force_login(world.acme_users[role])
    before = globex_state(world)
    for theirs, nobodys, ours in zip(
        urls(world, world.globex),
        urls(world, None, missing=True),
        urls(world, world.acme),
        strict=True,
    ):
        route = theirs.route
        if route.name in POST_DATA:
            continue  # POST only: walked above
        if route.name in SHARED_FORMS:
            continue  # no client's record: test_shared_forms_are_changed_by_the_cmo_only
        query, data = FORM_POSTS.get(route.name, lambda world, client: ("", {}))(
            world, world.globex
        )
        response = client.post(theirs.url + query, data)
        if response.status_code == 405:
            continue  # GET only
        assert route.name in FORM_POSTS, (
            f"{route.route!r} ({route.name}) answers GET and POST: add the query and form data "
            f"a user of the client would post to FORM_POSTS in {__name__}"
        )
        assert response.status_code == 404, (role, theirs.url + query, response.status_code)
        if theirs.owned:
            assert client.post(nobodys.url, data).status_code == 404, nobodys.url
        # The form itself takes the user's own client (whether the role may use it or not).
        our_query, our_data = FORM_POSTS[route.name](world, world.acme)
        assert client.post(ours.url + our_query, our_data).status_code != 404, ours.url
    assert globex_state(world) == before


@pytest.mark.parametrize("role", ACME_ROLES)
def test_shared_forms_are_changed_by_the_cmo_only(world, client, role):
    client.force_login(world.acme_users[role])
    for route in app_routes():
        if route.name not in SHARED_FORMS:
            continue
        for url in urls(world, world.acme):
            if url.route != route:
                continue
            response = client.post(url.url, SHARED_FORMS[route.name])
            expected = 302 if role in SHARED_FORM_EDITORS[route.name] else 403
            assert response.status_code == expected, (role, url.url, response.status_code)


LIST_PAGES = [
    "/",
    "/lines/",
    "/lines/export.csv",
    "/lines/export.xlsx",
    "/closes/",
    "/stock/",
    "/who-to-call/",
]
# Pages of the scorecard app that take ?client= (and ?period=).
SCORECARD_LIST_PAGES = [
    "/scorecard/",
    *(f"/scorecard/export.{fmt}" for fmt in sorted(EXPORTS)),
    *(f"/scorecard/kpi/{kpi.code}/" for kpi in KPIS),
    "/stock-outs/",
    "/survey/",
]
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


# The daily board of the day after ACME-SO-1003 (due 2026-04-06, short) and its worklist
# fragment, whole and as htmx asks for it, named or not, for every filter the board takes.
BOARD_PAGES = [
    "/board/?date=2026-04-07",
    "/board/?date=2026-04-07&site=EU1",
    "/board/?date=2026-04-07&screen=1&refresh=60",
    "/board/?date=2026-04-25",
    "/board/worklist/?from=2026-03&to=2026-04",
]


@pytest.mark.parametrize("role", ACME_ROLES)
def test_the_board_and_worklists_never_include_another_client(world, client, role):
    client.force_login(world.acme_users[role])
    for url in BOARD_PAGES:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (role, url, response.status_code)
            assert GLOBEX_MARK not in text(response).lower(), (role, url)
        named = client.get(f"{url}&client={world.globex.code}")
        unknown = client.get(f"{url}&client={MISSING_CODE}")
        assert named.status_code == unknown.status_code == 404, (role, url)
        assert GLOBEX_MARK not in text(named).lower(), (role, url)
    board = client.get("/board/?date=2026-04-07").content.decode()
    assert "ACME-SO-1003" in board  # the client's own miss shows
    worklist = client.get("/board/worklist/?from=2026-03&to=2026-04").content.decode()
    assert "ACME-SO-1002" in worklist or role == "acme_staff"  # the cause to approve


@pytest.mark.parametrize("role", ACME_ROLES)
def test_scorecards_and_their_downloads_never_include_another_client(world, client, role):
    client.force_login(world.acme_users[role])
    for url, period in itertools.product(SCORECARD_LIST_PAGES, ["", "2026Q2", "2026-04"]):
        if period == "2026-04" and url in ("/survey/", "/scorecard/export.pdf"):
            continue  # the survey is quarterly; one download of a month is enough
        response = client.get(f"{url}?period={period}" if period else url)
        assert response.status_code == 200, (url, period, response.status_code)
        seen = text(response)
        assert GLOBEX_MARK not in seen.lower(), (role, url, period)
        if period == SCORECARD_PERIOD:  # the world's review: ACME's own records show
            assert "Acme Pharma" in seen, (role, url)
    # The figures are ACME's alone: the download matches ACME's scorecard, and GLOBEX's differs.
    period = parse_period(SCORECARD_PERIOD)
    shown = json.loads(client.get(f"/scorecard/export.json?period={SCORECARD_PERIOD}").content)
    acme = build_scorecard(world.acme, period).to_dict()
    globex = build_scorecard(world.globex, period).to_dict()
    assert shown["kpis"] == acme["kpis"] and shown["survey"] == acme["survey"]
    assert globex["kpis"] != acme["kpis"] and globex["survey"] != acme["survey"]
    page = client.get(f"/scorecard/?period={SCORECARD_PERIOD}").content.decode()
    assert "Acme Pharma market" in page and "Acme Pharma: a second carrier" in page


@pytest.mark.parametrize("role", ACME_ROLES)
def test_naming_another_client_in_a_filter_is_not_found(world, client, role):
    client.force_login(world.acme_users[role])
    for url in LIST_PAGES + SCORECARD_LIST_PAGES:
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


def no_internal_note(response, role: str, url: str) -> None:
    """A page or download of the user's own client shows a client user none of the CMO's
    internal notes (the CMO's own staff see them: test_the_cmo_sees_its_internal_notes)."""
    if role in CLIENT_ROLES:
        seen = text(response)
        assert ACME_NOTE not in seen, (role, url)
        assert "internal_note" not in seen, (role, url)


@pytest.mark.parametrize("role", CLIENT_ROLES)
def test_client_users_never_see_internal_notes(world, client, role):
    # Every URL of the app, filled with the client's own objects, is checked by the walk of
    # test_another_clients_objects_are_not_found_on_any_url (no_internal_note, same users);
    # here the filtered lists, the line whose cause is approved and the scorecards of the
    # quarters whose failed lines carry the notes.
    client.force_login(world.acme_users[role])
    pages = [
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
    # The scorecard of the quarters whose failed lines carry the notes: the records behind the
    # line KPIs list those lines with their root causes, the downloads hold every record.
    pages += [
        f"{url}?period={period}"
        for period in ("2026Q1", "2026Q2")
        for url in (
            "/scorecard/",
            *(f"/scorecard/kpi/{code}/" for code in ("otif_net", "otif_gross", "on_time")),
            *(f"/scorecard/export.{fmt}" for fmt in sorted(EXPORTS)),
            "/stock-outs/",
        )
    ]
    pages.append(f"/stock-outs/{world.acme_stock_out.pk}/")
    for url in pages:
        response = client.get(url)
        if response.status_code == 405:
            continue  # POST-only steps answer with a redirect, see below
        assert response.status_code == 200, (url, response.status_code)
        no_internal_note(response, role, url)
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
    pages = ["/", "/lines/", "/closes/", "/definitions/", f"/lines/{world.acme_late.pk}/"]
    pages += ["/scorecard/", "/scorecard/kpi/otif_net/", "/stock-outs/", "/survey/"]
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert GLOBEX_MARK not in body.lower(), url
        title = body.split("<title>", 1)[1].split("</title>", 1)[0]
        assert GLOBEX_MARK not in title.lower()
        if "client_choices" in response.context:
            assert response.context["client_choices"] == [world.acme], url
            # One client: no client drop-down at all, the client is implied.
            assert 'id="f-client"' not in body and 'id="sc-client"' not in body


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
        if their.owned:
            status = client.get(their.url).status_code
            assert status in (200, 405), their.url  # 405: POST only
    page = client.get(f"/lines/{world.globex_late.pk}/").content.decode()
    assert "Globex Therapeutics" in page and GLOBEX_NOTE in page
    assert client.get("/closes/?client=GLOBEX").status_code == 200
    for code, name in (("ACME", "Acme Pharma"), ("GLOBEX", "Globex Therapeutics")):
        for url in ("/scorecard/", *(f"/scorecard/export.{fmt}" for fmt in sorted(EXPORTS))):
            response = client.get(f"{url}?client={code}&period={SCORECARD_PERIOD}")
            assert response.status_code == 200 and f"{name}: commentary" in text(response), url
