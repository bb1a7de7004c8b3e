"""The outlook page (/outlook/): open lines at risk, most urgent first, each with its milestone
chain; and the chain of one line as an htmx fragment for the line page (tower.performance).

Everything is read from the stored projection (tower.outlook.models.LineProjection); nothing is
evaluated in a request. Reads start from tenancy.scoping (visible_to, get_or_404).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from tower.agreements.queries import common_target, otif_targets
from tower.communications.models import NoticeLine
from tower.communications.queries import line_notice_status
from tower.engine.periods import add_months
from tower.engine.projection import MILESTONE_AREA, MILESTONE_LABEL, MILESTONES
from tower.engine.root_causes import AREAS
from tower.orders.models import OrderLine
from tower.outlook.forms import SORTS, OutlookFilterForm
from tower.outlook.models import AREA_NAMES, RANK_STOCK_OUT, RISK_LABELS, LineProjection
from tower.outlook.queries import at_risk
from tower.performance.models import LineOutcome
from tower.performance.views.filter_bar import LINES_PER_PAGE, filter_options
from tower.tenancy.scoping import get_or_404, is_cmo_side, sees_client_names
from tower.web.pages import render_figures_page

RISK_LABEL = RISK_LABELS
AREA_NAME = AREA_NAMES
SHORT = {
    "material_ready": "Mat",
    "production_start": "Start",
    "production_end": "End",
    "qc_release": "QC",
    "ship": "Ship",
    "arrival": "Arr",
}


def _filtered(form: OutlookFilterForm):
    rows = LineProjection.objects.all().visible_to(form.principal)
    if not form.is_valid():
        return at_risk(rows.none()), form.scope(), rows.none()
    figure_scope = form.scope()
    data = form.cleaned_data
    rows = rows.filter(client__in=[c.pk for c in figure_scope.clients])
    if figure_scope.site:
        rows = rows.filter(line__site__code=figure_scope.site)
    if figure_scope.product:
        rows = rows.filter(line__product__code=figure_scope.product)
    if data.get("area"):
        rows = rows.filter(cause_area=data["area"])
    risk_rows = rows
    if data.get("risk"):
        rows = rows.filter(risk=data["risk"])
    sort = data.get("sort") or ""
    listed = at_risk(rows, narrowed=bool(data.get("risk") or data.get("area") or sort))
    if sort:
        column = SORTS[sort.removeprefix("-")]
        listed = listed.order_by(f"-{column}" if sort.startswith("-") else column, "line_id")
    return listed, figure_scope, risk_rows


@login_required
@require_GET
def outlook(request):
    form = OutlookFilterForm(request.GET, principal=request.user)
    rows, figure_scope, scoped = _filtered(form)
    page = Paginator(rows.values_list("line_id", flat=True), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    loaded = {
        p.line_id: p
        for p in LineProjection.objects.filter(line_id__in=ids)
        .visible_to(request.user)
        .select_related("client", "line__order", "line__product", "line__site")
    }
    cmo_clients = {c.pk for c in figure_scope.clients if is_cmo_side(request.user, c)}
    notices = line_notice_status(
        NoticeLine.objects.filter(line_id__in=ids).visible_to(request.user)
    )
    page.object_list = [
        _row(loaded[i], loaded[i].client_id in cmo_clients, notices.get(i)) for i in ids
    ]
    counts = scoped.values("risk", "cause_area").annotate(n=Count("line_id"))
    by_risk = {r: 0 for r in RISK_LABEL}
    by_area: dict[str, int] = {}
    for c in counts:
        by_risk[c["risk"]] = by_risk.get(c["risk"], 0) + c["n"]
        if c["risk"] != "on_track" and c["cause_area"]:
            by_area[c["cause_area"]] = by_area.get(c["cause_area"], 0) + c["n"]
    stock_outs = scoped.filter(rank=RANK_STOCK_OUT).count()  # the urgency index answers it
    context = {
        "form": form,
        "scope": figure_scope,
        "page_obj": page,
        "show_clients": sees_client_names(request.user),
        "sort": form.cleaned_data.get("sort", "") if form.is_valid() else "",
        "sort_links": _sort_links(
            request, form.cleaned_data.get("sort", "") if form.is_valid() else ""
        ),
        "risk_choices": list(RISK_LABEL.items()),
        "area_choices": [(a.code, a.name) for a in AREAS if a.code != "unclassified"],
        "by_risk": [(k, RISK_LABEL[k], v) for k, v in by_risk.items()],
        "by_area": sorted(
            ((AREA_NAME.get(k, k), k, v) for k, v in by_area.items()), key=lambda t: -t[2]
        ),
        "stock_outs": stock_outs,
        "otif": _projected_otif(figure_scope, scoped, request.user) if form.is_valid() else [],
        # Every row of a refresh shares its date: the first row shown tells it.
        "as_of": next(iter(loaded.values())).as_of if loaded else None,
        "can_notify": bool(cmo_clients),
        "notice_url": reverse("communications:compose"),
        "query": request.GET.urlencode(),
        **filter_options(form, figure_scope),
    }
    context["selected"].update(
        risk=str(request.GET.get("risk", "")), area=str(request.GET.get("area", ""))
    )
    return render_figures_page(
        request,
        "outlook/outlook.html",
        "outlook/_outlook_body.html",
        context,
        status=200 if form.is_valid() else 400,
    )


def _sort_links(request, current: str) -> dict[str, dict]:
    links = {}
    for name in SORTS:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{name}" if current == name else name
        state = "asc" if current == name else "desc" if current == f"-{name}" else ""
        links[name] = {"url": f"?{params.urlencode()}", "state": state}
    return links


def _projected_otif(figure_scope, projections, principal) -> list[dict]:
    """Current and next month: the live OTIF (measured lines), the projected one (kpis.md 8:
    measured OTIF + open lines on track or tight, over measured + open), and the target."""
    today = dt.date.today().replace(day=1)
    months = [today, add_months(today, 1)]
    clients = [c.pk for c in figure_scope.clients]
    outcomes = LineOutcome.objects.filter(
        client__in=clients, period__in=months, state="measured"
    ).visible_to(principal)
    if figure_scope.site:
        outcomes = outcomes.filter(line__site__code=figure_scope.site)
    if figure_scope.product:
        outcomes = outcomes.filter(line__product__code=figure_scope.product)
    measured = {
        r["period"]: r
        for r in outcomes.values("period").annotate(
            n=Count("line_id"), good=Count("line_id", filter=Q(otif=True))
        )
    }
    open_rows = {
        r["period"]: r
        # Counts of the risk column (never null), not of the line: the (client, period, risk,
        # overdue) index then answers alone.
        for r in projections.filter(period__in=months, overdue=False)
        .values("period")
        .annotate(n=Count("risk"), good=Count("risk", filter=Q(risk__in=["on_track", "tight"])))
    }
    target = common_target(otif_targets(figure_scope.clients), "otif_gross")
    out = []
    for month in months:
        m = measured.get(month, {"n": 0, "good": 0})
        o = open_rows.get(month, {"n": 0, "good": 0})
        total = m["n"] + o["n"]
        out.append(
            {
                "month": month,
                "current": round(100 * m["good"] / m["n"], 1) if m["n"] else None,
                "measured": m["n"],
                "open": o["n"],
                "projected": round(100 * (m["good"] + o["good"]) / total, 1) if total else None,
                "target": target.value if target else None,
            }
        )
    return out


def _row(p: LineProjection, internal: bool, notice=None) -> dict:
    """A row of the page; `notice` is the delay notice that speaks for the line now, if any."""
    return {
        "p": p,
        "line": p.line,
        "chain_html": chain_html(chain_of(p)),
        "internal": internal,
        "notice": notice,
    }


def _day(value: dt.date | None, fmt: str = "%Y-%m-%d") -> str:
    return value.strftime(fmt) if value else "—"


def chain_html(steps: list[dict]) -> str:
    """The chain as HTML, built here rather than by a template include per row: 50 rows of six
    steps through the template engine cost most of the page's time."""
    items = []
    for s in steps:
        done = f"done {_day(s['actual'])}" if s["actual"] else f"projected {_day(s['projected'])}"
        behind = f", {s['slip']} days behind plan" if s["slip"] else ""
        title = f"{s['label']} ({s['area']}): planned {_day(s['planned'])}, {done}{behind}"
        shown = f"✓ {_day(s['actual'], '%d %b')}" if s["actual"] else _day(s["projected"], "%d %b")
        extra = ""
        if s["added"] > 0:
            extra = format_html('<span class="step-slip">+{} d · {}</span>', s["added"], s["area"])
        elif s["planned"] and s["projected"] and s["planned"] != s["projected"] and not s["actual"]:
            extra = format_html(
                '<span class="step-plan">plan {}</span>', _day(s["planned"], "%d %b")
            )
        items.append(
            format_html(
                '<li class="step {}{}" title="{}"><span class="step-name">{}</span>'
                '<span class="step-date">{}</span>{}</li>',
                s["state"],
                " cause" if s["cause"] else "",
                title,
                s["short"],
                shown,
                extra,
            )
        )
    return format_html(
        '<ol class="chain" aria-label="Milestones, planned and projected">{}</ol>',
        mark_safe("".join(items)),  # noqa: S308 (each item escaped by format_html)
    )


def chain_of(p: LineProjection) -> list[dict]:
    """The milestones of a stored projection, each with what the page draws."""
    has_batch = any(
        getattr(p, f"{m}_planned") or getattr(p, f"{m}_actual") or getattr(p, f"{m}_projected")
        for m in MILESTONES[:4]
    )
    names = MILESTONES if has_batch else MILESTONES[4:]
    steps, previous = [], 0
    for m in names:
        slip = getattr(p, f"{m}_slip")
        added = (slip or 0) - previous if slip is not None else 0
        previous = slip if slip is not None else previous
        actual = getattr(p, f"{m}_actual")
        projected = getattr(p, f"{m}_projected")
        state = (
            "done"
            if actual is not None or (projected is not None and projected < p.as_of)
            else "none"
            if projected is None
            else "slipped"
            if added > 0
            else "late"
            if slip
            else "plan"
        )
        steps.append(
            {
                "name": m,
                "label": MILESTONE_LABEL[m],
                "short": SHORT[m],
                "area": AREA_NAME.get(MILESTONE_AREA[m], MILESTONE_AREA[m]),
                "planned": getattr(p, f"{m}_planned"),
                "actual": actual,
                "projected": projected,
                "slip": slip,
                "added": added,
                "state": state,
                "cause": p.cause_milestone == m,
            }
        )
    return steps


@login_required
@require_GET
def line_chain(request, pk: int):
    """One line's milestone chain: a fragment for the line page (htmx), a page otherwise."""
    line = get_or_404(OrderLine.objects.select_related("order", "client"), request.user, pk=pk)
    projection = LineProjection.objects.filter(line=line).visible_to(request.user).first()
    context = {
        "line": line,
        "p": projection,
        "chain_html": chain_html(chain_of(projection)) if projection else "",
        "internal": is_cmo_side(request.user, line.client),
        "risk_label": RISK_LABEL.get(projection.risk, "") if projection else "",
        "cause": projection.cause_label if projection else "",
    }
    template = "outlook/_line_chain.html" if request.htmx else "outlook/line_chain.html"
    return render(request, template, context)
