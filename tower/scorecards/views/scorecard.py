"""The client scorecard of the quarterly business review: the page, one KPI with the records
behind it, the downloads, and the CMO's commentary and agreed actions.

Every read starts from tenancy.scoping (the client is one of the user's visible clients, or the
answer is 404); the figures come from scorecards.scorecard.build_scorecard, the records from
scorecards.evidence, the files from scorecards.exports; writes go through scorecards.services,
which check the role (a client user gets 403).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from tower.actions.models import Action, Status
from tower.actions.services import set_status
from tower.agreements.models import PenaltyTerm
from tower.engine.kpi_catalogue import KPI_BY_CODE, KPIS, format_value
from tower.engine.periods import Period, last_complete_quarter, month_of, parse_period, quarter_of
from tower.jobs.views import start
from tower.performance.dashboard import FigureScope
from tower.scorecards import exports
from tower.scorecards.evidence import evidence
from tower.scorecards.forms import PeriodField
from tower.scorecards.models import SurveyResponse
from tower.scorecards.scorecard import (
    DECIMALS,
    Scorecard,
    build_scorecard,
)
from tower.scorecards.services import add_action, set_kpi_comment
from tower.scorecards.tasks import JOB_FORMATS
from tower.tenancy.models import CLIENT_ROLES
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    is_cmo_side,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import attempt_step, form_refused, render_figures_page, run_step
from tower.web.pages import lines_url as figure_lines_url

RECORDS_PER_PAGE = 50
EXPORTS = {"pdf": "PDF", "pptx": "PowerPoint", "xlsx": "Excel", "json": "JSON"}  # button labels
# KPIs measured on order lines: their page links to the lines page (outcome filter per link).
LINE_KPIS = {
    "otif_net": [("measured", "measured lines"), ("net_failed", "failed, CMO-attributable")],
    "otif_gross": [("measured", "measured lines"), ("failed", "failed lines")],
    "on_time": [("measured", "measured lines"), ("late", "lines not on time")],
}
PAST_QUARTERS = 8  # the period chooser offers these, the current quarter and PAST_MONTHS months
PAST_MONTHS = 12


# ---------------------------------------------------------------------------------------------
# Client and period, read from the query string (or a form)


class ScorecardForm(forms.Form):
    """?client=CODE&period=2026Q3 (or 2026-07 for a month).

    A client the user may not see is a 404, exactly like one that does not exist. Without a
    client the first visible one is shown; without a period, the last complete quarter.
    """

    client = forms.CharField(required=False, max_length=100)
    period = PeriodField(required=False)

    def __init__(self, data, *, principal, **kwargs):
        super().__init__(data, **kwargs)
        self.principal = principal
        self.clients = list(visible_clients(principal).order_by("code"))

    def clean_client(self):
        client = client_by_code(self.clients, self.cleaned_data["client"])
        return client.code if client else ""

    def selection(self):
        """(client or None, period): the valid choices, defaults for what is missing or bad."""
        data = getattr(self, "cleaned_data", {})
        code = data.get("client") or ""
        client = next((c for c in self.clients if c.code == code), None) if code else None
        if client is None and not code and self.clients:
            client = self.clients[0]
        return client, data.get("period") or last_complete_quarter(timezone.localdate())


def scorecard_query(client, period: Period, **extra) -> str:
    return urlencode({"client": client.code, "period": period.key, **extra})


def scorecard_url(client, period: Period, anchor: str = "") -> str:
    url = f"{reverse('scorecards:scorecard')}?{scorecard_query(client, period)}"
    return f"{url}#{anchor}" if anchor else url


def period_choices(selected: Period, today: dt.date | None = None) -> list[tuple[str, list]]:
    """The chooser's options: recent quarters (the current one to date), then recent months."""
    today = today or timezone.localdate()
    current = quarter_of(today)
    quarters = [(current.key, f"{current.label} (to date)")] + [
        (p.key, p.label) for p in (current.shifted(-n) for n in range(1, PAST_QUARTERS + 1))
    ]
    month = month_of(today)
    months = [(month.key, f"{month.label} (to date)")] + [
        (p.key, p.label) for p in (month.shifted(-n) for n in range(1, PAST_MONTHS + 1))
    ]
    groups = [("Quarters", quarters), ("Months", months)]
    if all(selected.key != key for _, options in groups for key, _ in options):
        groups.insert(0, ("Chosen", [(selected.key, selected.label)]))
    return groups


def chooser_context(request, form: ScorecardForm, client, period: Period) -> dict:
    return {
        "form": form,
        "client": client,
        "period": period,
        "client_choices": form.clients,
        "period_choices": period_choices(period),
        "show_clients": sees_client_names(request.user),
    }


# ---------------------------------------------------------------------------------------------
# The scorecard page


@login_required
@require_GET
def scorecard(request):
    form = ScorecardForm(request.GET, principal=request.user)
    valid = form.is_valid()
    client, period = form.selection()
    context = chooser_context(request, form, client, period)
    if client is not None:
        context |= scorecard_figures(request.user, build_scorecard(client, period))
    return render_figures_page(
        request,
        "scorecards/scorecard.html",
        "scorecards/_scorecard_body.html",
        context,
        status=200 if valid else 400,
    )


def scorecard_figures(user, card: Scorecard) -> dict:
    """Everything the page shows of a scorecard, ready for the template."""
    client, period = card.client, card.period
    query = scorecard_query(client, period)
    cmo_side = is_cmo_side(user, client)
    groups = [
        (group, [kpi_tile(result, card) for result in results])
        for group, results in card.groups()
        if results
    ]
    statuses = Counter(result.status for result in card.kpis)
    survey = card.survey
    penalties: dict[str, float] = {}
    for exposure in card.penalties:
        penalties[exposure.currency] = penalties.get(exposure.currency, 0.0) + exposure.amount
    return {
        "card": card,
        "cmo_side": cmo_side,
        "groups": groups,
        "status_counts": [
            (status, statuses[status])
            for status in ("green", "amber", "red", "no_data")
            if statuses[status]
        ],
        "survey_rows": [
            (SurveyResponse.QUESTIONS.get(question, question), format_value(mean, "of 5"))
            for question, mean in survey.means.items()
        ],
        "survey_mean": format_value(survey.mean, "of 5"),
        "can_answer_survey": role_for(user, client) in CLIENT_ROLES and period.kind == "quarter",
        "actions": action_rows(card, cmo_side),
        "action_statuses": Status.choices,
        "kpi_choices": [(k.code, k.name) for k in KPIS],
        "penalty_totals": sorted(penalties.items()),
        "stock_outs": [
            (row, reverse("scorecards:stock_out", args=[row.pk]) if row.pk else None)
            for row in card.stock_outs
        ],
        # The lines behind each penalty term: the failed lines that count against the CMO, or
        # the net OTIF of each month against the target.
        "penalties": [
            (
                p,
                lines_url(client, period, "net_failed")
                if p.kind == PenaltyTerm.Kind.LINE_VALUE_PCT
                else f"{reverse('scorecards:kpi', args=['otif_net'])}?{query}",
            )
            for p in card.penalties
        ],
        "downloads": [
            # A workbook, PDF or deck is made by the worker: its button opens the job's page
            # (no download attribute, or the browser would save that page as the file).
            (label, f"{reverse('scorecards:export', args=[fmt])}?{query}", fmt, fmt in JOB_FORMATS)
            for fmt, label in EXPORTS.items()
        ],
        "links": {
            "survey": f"{reverse('scorecards:survey')}?{query}",
            "stock_outs": f"{reverse('scorecards:stock_outs')}?{query}",
            "previous": scorecard_url(client, period.shifted(-1)),
            "next": scorecard_url(client, period.shifted(1)),
        },
        "query": query,
    }


def kpi_tile(result, card: Scorecard) -> dict:
    """One KPI: the result, its detail link, and its trend (previous periods, then this one)."""
    client, period = card.client, card.period
    points = [
        (point.label, point.value, scorecard_url(client, parse_period(point.period)))
        for point in result.trend
    ] + [(period.label, result.value, None)]
    return {
        "result": result,
        "url": f"{reverse('scorecards:kpi', args=[result.code])}?{scorecard_query(client, period)}",
        "chart_id": f"trend-{result.code}",
        "chart": {
            "label": result.name,
            "labels": [label for label, _, _ in points],
            "values": [None if value is None else round(value, 2) for _, value, _ in points],
            "target": result.target,
            "unit": result.unit,
            "links": [url for _, _, url in points],
        },
        "points": [(label, format_value(value, result.unit)) for label, value, _ in points],
        "breakdown": [
            (name, f"{value:,.{DECIMALS}f}") for name, value in (result.breakdown or {}).items()
        ],
    }


def action_rows(card: Scorecard, cmo_side: bool) -> list[dict]:
    """The agreed actions; on the CMO side with the id each status form posts to."""
    rows = []
    for action in card.actions:
        kpi = KPI_BY_CODE.get(action.kpi)
        status = Status(action.status) if action.status in Status.values else None
        rows.append(
            {
                "action": action,
                "agreed_in": _period_label(action.period),
                "kpi_name": kpi.name if kpi else action.kpi,
                "status_label": status.label if status else action.status,
                "pk": action.pk if cmo_side else None,
            }
        )
    return rows


def _period_label(key: str) -> str:
    try:
        return parse_period(key).label
    except ValueError:
        return key


# ---------------------------------------------------------------------------------------------
# One KPI and the records behind it


@login_required
@require_GET
def kpi_detail(request, kpi: str):
    spec = KPI_BY_CODE.get(kpi)
    if spec is None:
        raise Http404("No such KPI.")
    form = ScorecardForm(request.GET, principal=request.user)
    valid = form.is_valid()
    client, period = form.selection()
    context = chooser_context(request, form, client, period) | {
        "kpi": spec,
        "nav_active": "scorecards:scorecard",
    }
    if client is not None:
        card = build_scorecard(client, period)
        found = evidence(client, period, kpi, as_of=card.as_of)
        table, sort_error = records_table(found, request)
        valid = valid and not sort_error
        context |= {
            "card": card,
            "tile": kpi_tile(card.kpi(kpi), card),
            "evidence": found,
            "sort_error": sort_error,
            "scorecard_url": scorecard_url(client, period, f"kpi-{kpi}"),
            "line_links": [
                (words, lines_url(client, period, outcome)) for outcome, words in LINE_KPIS[kpi]
            ]
            if kpi in LINE_KPIS
            else [],
            **table,
        }
    return render_figures_page(
        request,
        "scorecards/scorecard_kpi.html",
        "scorecards/_scorecard_kpi_body.html",
        context,
        status=200 if valid else 400,
    )


def lines_url(client, period: Period, outcome: str) -> str:
    """The lines page for the client's months of the period, filtered by outcome."""
    return figure_lines_url(FigureScope((client,), period.start, period.end), outcome=outcome)


# Columns of an evidence frame that are keys of a page: the row's first cell links there.
RECORD_LINKS = {
    "line_id": "performance:line",
    "event_id": "scorecards:stock_out",
    "escalation_id": "escalations:detail",
}


def records_table(found, request) -> tuple[dict, str]:
    """One page of the records behind a KPI, sorted by a column (?sort=due_date, -due_date).

    Returns the template's table and the message for a sort the records cannot take ("" if
    none). The cells are formatted here, in one pass over the page, not by a filter per cell.
    """
    frame = found.frame
    columns = found.columns  # (name, label), without the key columns
    names = [name for name, _ in columns]
    keys = [key for key in RECORD_LINKS if key in frame.columns]
    sort = request.GET.get("sort", "")
    error = ""
    if sort and sort.removeprefix("-") not in names:
        error = f"The records can be sorted by {', '.join(names) or 'nothing'}."
        sort = ""
    if sort and frame.height:
        frame = frame.sort(sort.removeprefix("-"), descending=sort.startswith("-"), nulls_last=True)
    # The paginator pages positions; the frame is sliced for the page (a DataFrame's own
    # count() is a per-column aggregate, not a length).
    page = Paginator(range(frame.height), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    if frame.height:
        part = frame.slice(page.start_index() - 1, len(page.object_list))
        integral = {n: _all_integral(part[n]) for n in names if part[n].dtype.is_float()}
        links = [
            [reverse(RECORD_LINKS[key], args=[pk]) if pk is not None else None for pk in part[key]]
            for key in keys[:1]
        ]
        for index, row in enumerate(part.select(names).iter_rows()):
            cells = [
                [*_cell(value, integral.get(name, False), counts=name == "counts"), None]
                for name, value in zip(names, row, strict=True)
            ]
            if links and cells:
                cells[0][2] = links[0][index]
            rows.append(cells)
    page.object_list = rows
    headers = []
    for name, label in columns:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{name}" if sort == name else name
        state = "asc" if sort == name else "desc" if sort == f"-{name}" else ""
        headers.append({"label": label, "url": f"?{params.urlencode()}", "state": state})
    counts = dict(columns).get("counts")
    return {
        "headers": headers,
        "page_obj": page,
        "sort": sort,
        "counts_label": counts,
    }, error


def _all_integral(series) -> bool:
    values = series.drop_nulls()
    return values.len() > 0 and bool((values == values.round(0)).all())


SHORT_TEXT = 40  # characters: a code or a name stays on one line, a comment wraps


def _cell(value, integral: bool, *, counts: bool = False) -> tuple[str, str]:
    """(text, CSS class) of one cell: numbers right-aligned, nothing shown as a dash, the
    `counts` column marked met or not."""
    if value is None:
        return "—", ""
    if isinstance(value, bool):
        return ("yes" if value else "no"), f"counts-{str(value).lower()}" if counts else ""
    if isinstance(value, int):
        return f"{value:,}", "num"
    if isinstance(value, float):
        return (f"{value:,.0f}" if integral else f"{value:,.{DECIMALS}f}"), "num"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}", "nowrap"
    if isinstance(value, dt.date):
        return value.isoformat(), "nowrap"
    text = str(value)
    return text, "nowrap" if len(text) <= SHORT_TEXT else ""


# ---------------------------------------------------------------------------------------------
# Downloads


@login_required
@require_GET
def export(request, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404(f"The scorecard downloads as {', '.join(exports.FORMATS)}.")
    form = ScorecardForm(request.GET, principal=request.user)
    if not form.is_valid():
        return render(request, "400.html", {"form_errors": form.errors}, status=400)
    client, period = form.selection()
    if client is None:
        raise Http404("No client to download.")
    if fmt in JOB_FORMATS:
        # The files take long to build for a large client (and many at once would hold up
        # every other page): the worker makes them (tower.jobs).
        return start(
            request,
            scorecard_url(client, period),
            kind="export_scorecard",
            client=client,
            title=f"Scorecard {JOB_FORMATS[fmt]}, {client.name}, {period.key}",
            params={"period": period.key, "fmt": fmt, "user": request.user.pk},
        )
    content, content_type, filename = exports.render(build_scorecard(client, period), fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ---------------------------------------------------------------------------------------------
# Commentary and agreed actions (the CMO side; a client user gets 403)


def _posted_scope(request) -> tuple[object, Period] | None:
    """The client and period a form posts (404 for a client the user may not see), or None
    with an error message when either is missing or unreadable."""
    form = ScorecardForm(request.POST, principal=request.user)
    valid = form.is_valid()
    if not valid or not form.cleaned_data["client"] or not form.cleaned_data["period"]:
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems) or "Choose a client and a period first.")
        return None
    return form.selection()


@login_required
@require_POST
def comment(request):
    scope = _posted_scope(request)
    if scope is None:
        return redirect("scorecards:scorecard")
    client, period = scope
    kpi = request.POST.get("kpi", "")
    if kpi not in KPI_BY_CODE:
        messages.error(request, "Choose the KPI the commentary is about.")
        return redirect(scorecard_url(client, period))
    text = request.POST.get("text", "")
    back = scorecard_url(client, period, f"kpi-{kpi}")
    saved = {}

    def step():
        stored = set_kpi_comment(
            client=client, period=period, kpi=kpi, text=text, user=request.user
        )
        saved["text"] = stored.text if stored is not None else ""
        return "Commentary saved." if stored is not None else "Commentary removed."

    if not request.htmx:
        return run_step(request, back, step)
    # Inline edit: answer with the commentary block only.
    done, error = attempt_step(step)
    return render(
        request,
        "scorecards/_scorecard_comment.html",
        {
            "code": kpi,
            "text": saved.get("text", text),
            "client": client,
            "period": period,
            "cmo_side": True,
            "done": done,
            "error": error,
        },
    )


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300, label="What is to be done")
    owner = forms.CharField(max_length=150, label="Who does it")
    due_date = forms.DateField(
        required=False, label="Due", error_messages={"invalid": "write the date as YYYY-MM-DD."}
    )
    kpi = forms.ChoiceField(
        choices=[("", "—")] + [(k.code, k.name) for k in KPIS], required=False, label="KPI"
    )


@login_required
@require_POST
def action_add(request):
    scope = _posted_scope(request)
    if scope is None:
        return redirect("scorecards:scorecard")
    client, period = scope
    back = scorecard_url(client, period, "actions")
    form = ActionForm(request.POST)
    if not form.is_valid():
        return form_refused(request, back, form, "The action was not added.")
    data = form.cleaned_data

    def step():
        add_action(
            client=client,
            period=period,
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            kpi=data["kpi"],
            user=request.user,
        )
        return f"Action agreed: {data['title'].strip()}."

    return run_step(request, back, step)


@login_required
@require_POST
def action_update(request, pk: int):
    action = get_or_404(Action.objects.select_related("client"), request.user, pk=pk)
    try:
        period = parse_period(request.POST.get("period") or action.period)
    except ValueError:
        period = parse_period(action.period)
    status = request.POST.get("status", "")

    def step():
        set_status(action=action, status=status, user=request.user)
        label = dict(Status.choices).get(status, status)
        return f"“{action.title}” is now {label.lower()}."

    return run_step(request, scorecard_url(action.client, period, "actions"), step)
