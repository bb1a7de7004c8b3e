"""The OTIF dashboard: the cascade of kpis.md 2, level by level, for a scope."""

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tower.agreements.queries import common_target, kpi_targets
from tower.engine.kpi_catalogue import format_value
from tower.engine.periods import add_months, month_range
from tower.masterdata.models import FunctionalArea, RootCauseCode
from tower.performance.dashboard import (
    DELAY_COLUMN_OF,
    FigureScope,
    Totals,
    client_totals,
    failures,
    monthly_totals,
    stale_closes,
    trend_window,
)
from tower.performance.forms import (
    ScopeForm,
)
from tower.performance.functions import area_measures
from tower.performance.models import (
    MonthClose,
    RootCause,
    RootCauseStatus,
)
from tower.performance.views.filter_bar import ROOT_CAUSE_STATES, filter_options
from tower.tenancy.models import Role
from tower.tenancy.scoping import (
    role_for,
    sees_client_names,
)
from tower.web.pages import lines_url, render_figures_page, scope_query

# ---------------------------------------------------------------------------------------------
# Dashboard


@login_required
@require_GET
def dashboard(request):
    form = ScopeForm(request.GET, principal=request.user)
    valid = form.is_valid()
    figure_scope = form.scope()
    context = {
        "form": form,
        "scope": figure_scope,
        "show_clients": sees_client_names(request.user),
        **filter_options(form, figure_scope),
    }
    if figure_scope.clients:
        context |= dashboard_figures(figure_scope, request.user)
    return render_figures_page(
        request,
        "performance/dashboard.html",
        "performance/_dashboard_body.html",
        context,
        status=200 if valid else 400,
    )


def dashboard_figures(figure_scope: FigureScope, user) -> dict:
    """Everything the dashboard shows for a scope: the cascade, level by level."""
    targets = kpi_targets(figure_scope.clients)  # every KPI: the function KPIs use them too
    trend_start, trend_end = trend_window(figure_scope.end)
    months = monthly_totals(figure_scope, min(figure_scope.start, trend_start), figure_scope.end)
    period = Totals.of(months[m].counts for m in figure_scope.months if m in months)
    net_target = common_target(targets, "otif_net")
    gross_target = common_target(targets, "otif_gross")

    trend_months = month_range(trend_start, trend_end)
    trend = {
        "labels": [f"{m:%b %Y}" for m in trend_months],
        "series": [
            {
                "label": "Net OTIF",
                "values": [_rounded(months.get(m), "net_otif") for m in trend_months],
            },
            {
                "label": "Gross OTIF",
                "values": [_rounded(months.get(m), "otif") for m in trend_months],
            },
        ],
        "target": net_target.value if net_target else None,
        "unit": "%",
        "links": [_month_lines_url(figure_scope, m) if m in months else None for m in trend_months],
    }
    trend_rows = [(m, months.get(m), _month_lines_url(figure_scope, m)) for m in trend_months]

    delay = [
        (label, period.counts[column], lines_url(figure_scope, outcome="late", delay=label))
        for label, column in DELAY_COLUMN_OF.items()
    ]
    fail_rows = failures(figure_scope)
    areas = {a.code: a for a in FunctionalArea.objects.all()}
    codes = {c.code: c for c in RootCauseCode.objects.all()}
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_code: dict[str | None, int] = defaultdict(int)
    by_client_status: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(ROOT_CAUSE_STATES, 0)
    )
    for row in fail_rows:
        by_area[row.area][0] += row.lines
        by_area[row.area][1] += row.excused
        by_code[row.code] += row.lines
        by_client_status[row.client_id][row.status] += row.lines
    area_rows = sorted(
        (
            {
                "area": areas[code],
                "lines": lines,
                "excused": excused,
                "url": lines_url(figure_scope, area=code),
            }
            for code, (lines, excused) in by_area.items()
        ),
        key=lambda r: (-r["lines"], r["area"].name),
    )
    area_kpi_rows = _area_kpis(
        figure_scope, areas, {code: lines for code, (lines, _) in by_area.items()}, targets
    )
    pareto_rows, running = [], 0
    total_failed = sum(by_code.values())
    for code, lines in sorted(by_code.items(), key=lambda item: (-item[1], item[0] or "")):
        running += lines
        pareto_rows.append(
            {
                "code": codes.get(code),
                "label": code or "Unclassified",
                "lines": lines,
                "cumulative": running / total_failed * 100 if total_failed else None,
                "url": lines_url(figure_scope, code=code)
                if code
                else lines_url(figure_scope, status="unclassified"),
            }
        )

    per_client = client_totals(figure_scope)
    client_rows = worst_first(
        [
            {
                "client": client,
                "totals": per_client.get(client.pk, Totals()),
                "target": targets[client.pk]["otif_net"],
                "status": targets[client.pk]["otif_net"].status(
                    per_client.get(client.pk, Totals()).pct("net_otif")
                ),
                "root_causes": by_client_status.get(client.pk, dict.fromkeys(ROOT_CAUSE_STATES, 0)),
                "url": f"{reverse('performance:dashboard')}?"
                + scope_query(_one_client(figure_scope, client)),
            }
            for client in figure_scope.clients
        ]
    )
    # An approver's to-do list: proposed causes of their clients, whatever the period.
    approving = [c.pk for c in figure_scope.clients if role_for(user, c) == Role.CLIENT_APPROVER]
    awaiting = (
        RootCause.objects.filter(client__in=approving, status=RootCauseStatus.PROPOSED)
        .visible_to(user)
        .count()
        if approving
        else 0
    )
    return {
        "period": period,
        "net_target": net_target,
        "gross_target": gross_target,
        "net_status": net_target.status(period.pct("net_otif")) if net_target else None,
        "gross_status": gross_target.status(period.pct("otif")) if gross_target else None,
        "trend": trend,
        "trend_rows": trend_rows,
        "delay_rows": delay,
        "delay_chart": {
            "labels": [f"{label} days" for label, _, _ in delay],
            "values": [count for _, count, _ in delay],
            "label": "Late lines",
            "unit": "lines",
            "links": [url for _, _, url in delay],
        },
        "area_rows": area_rows,
        "area_chart": {
            "labels": [r["area"].name for r in area_rows],
            "values": [r["lines"] for r in area_rows],
            "label": "Failed lines",
            "unit": "lines",
            "links": [r["url"] for r in area_rows],
        },
        "area_kpi_rows": area_kpi_rows,
        "pareto_rows": pareto_rows,
        "pareto_chart": {
            "labels": [r["label"] for r in pareto_rows],
            "values": [r["lines"] for r in pareto_rows],
            "label": "Failed lines",
            "links": [r["url"] for r in pareto_rows],
        },
        "client_rows": client_rows,
        "verdict": verdict(client_rows),
        "worst_clients": client_rows[:WORST_SHOWN],
        "worst_shown": WORST_SHOWN,
        "scope_query": scope_query(figure_scope),
        "stale_closes": _with_clients(stale_closes(figure_scope), figure_scope),
        "closed_months": set(
            MonthClose.objects.filter(
                client__in=[c.pk for c in figure_scope.clients],
                period__gte=trend_start,
                period__lte=figure_scope.end,
                reopened_at__isnull=True,
            )
            .visible_to(user)
            .values_list("period", flat=True)
        ),
        "awaiting_review": awaiting,
        "links": {
            "measured": lines_url(figure_scope, outcome="measured"),
            "failed": lines_url(figure_scope, outcome="failed"),
            "net_failed": lines_url(figure_scope, outcome="net_failed"),
            "late": lines_url(figure_scope, outcome="late"),
            "not_in_full": lines_url(figure_scope, outcome="not_in_full"),
            "pending": lines_url(figure_scope, outcome="pending"),
            "excluded": lines_url(figure_scope, outcome="excluded"),
            "proposed": lines_url(figure_scope, status="proposed"),
            "awaiting": f"{reverse('performance:lines')}?"
            + urlencode(
                {"status": "proposed", "from": "2000-01", "to": f"{figure_scope.end:%Y-%m}"}
            ),
        },
    }


# The verdict (kpis.md 2, "how many clients are green, amber, red"): each client's net OTIF over
# the dashboard's months against its own net OTIF target (tower.agreements: the agreement's
# KpiTarget, else the catalogue default), coloured by the one rule of tower.engine.targets:
# green = target met, amber = short of it by at most the target's tolerance, red = further short;
# a client without measured lines in the period is "no data", never a colour.
VERDICT_ORDER = ("red", "amber", "green", "no_data")
WORST_SHOWN = 5  # clients named near the top of the dashboard, worst first


def worst_first(rows: list[dict]) -> list[dict]:
    """Client rows red first, then amber, green and no data; within a colour, furthest below
    its target first, then by client code."""

    def key(row):
        value = row["totals"].pct("net_otif")
        gap = value - row["target"].value if value is not None else 0.0
        if not row["target"].higher_is_better:
            gap = -gap
        return (VERDICT_ORDER.index(row["status"]), gap, row["client"].code)

    return sorted(rows, key=key)


def verdict(rows: list[dict]) -> list[dict]:
    """How many clients of each colour, in VERDICT_ORDER, with the first client of each."""
    out = []
    for status in VERDICT_ORDER:
        of_status = [r for r in rows if r["status"] == status]
        if of_status or status != "no_data":
            out.append(
                {
                    "status": status,
                    "count": len(of_status),
                    "anchor": f"client-{of_status[0]['client'].code}" if of_status else "",
                }
            )
    return out


def _area_kpis(
    figure_scope: FigureScope, areas: dict, failed: dict[str, int], targets: dict
) -> list[dict]:
    """Each CMO function's own KPI next to the failed lines traced to it (kpis.md 2, level 3)."""
    last_day = add_months(figure_scope.end, 1) - dt.timedelta(days=1)
    measures = area_measures(
        figure_scope.clients,
        figure_scope.start,
        last_day,
        timezone.localdate(),
        site=figure_scope.site,
        product=figure_scope.product,
    )
    rows = []
    for code, (kpi, measure) in measures.items():
        target = common_target(targets, kpi.code)
        rows.append(
            {
                "area": areas[code],
                "kpi": kpi,
                "value": format_value(measure.value, kpi.unit),
                "basis": measure.basis,
                "target": format_value(target.value, kpi.unit) if target else None,
                "status": target.status(measure.value) if target else None,
                "failed": failed.get(code, 0),
                "url": lines_url(figure_scope, area=code),
            }
        )
    return rows


def _with_clients(stale: list, figure_scope: FigureScope) -> list:
    """Give each stale close its client from the scope (the page names it: no query per close)."""
    clients = {c.pk: c for c in figure_scope.clients}
    for item in stale:
        item.close.client = clients[item.close.client_id]
    return stale


def _one_client(figure_scope: FigureScope, client) -> FigureScope:
    return FigureScope(
        clients=(client,),
        start=figure_scope.start,
        end=figure_scope.end,
        site=figure_scope.site,
        product=figure_scope.product,
    )


def _month_lines_url(figure_scope: FigureScope, month) -> str:
    month_scope = FigureScope(
        clients=figure_scope.clients,
        start=month,
        end=month,
        site=figure_scope.site,
        product=figure_scope.product,
    )
    return lines_url(month_scope, outcome="measured")


def _rounded(totals: Totals | None, name: str) -> float | None:
    value = totals.pct(name) if totals is not None else None
    return round(value, 2) if value is not None else None
