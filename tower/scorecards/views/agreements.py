"""A client's agreement as the scorecard applies it (kpis.md 6 and 7): every KPI's target,
direction and amber band, the stock-out look-back, the currency, the penalty terms and the
early-warning settings of the projection (kpis.md 8), with the history of every change. CMO admins change them; everyone else who may see the client reads them.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.agreements.forms import (
    AgreementForm,
    EarlyWarningForm,
    PenaltyTermForm,
    QualityAgreementForm,
)
from tower.agreements.models import (
    DEFAULT_OOS_LOOKBACK_DAYS,
    EARLY_WARNING_DEFAULTS,
    Agreement,
    EarlyWarningSettings,
    KpiDirection,
    KpiTarget,
    PenaltyTerm,
)
from tower.agreements.services import (
    add_penalty_term,
    agreement_of,
    early_warning_of,
    remove_penalty_term,
    set_kpi_target,
    set_quality_agreement,
)
from tower.agreements.views import team_context
from tower.engine.kpi_catalogue import GROUPS, KPI_BY_CODE, KPIS, Kpi, format_value
from tower.scorecards.services import set_agreement, set_early_warning
from tower.scorecards.views.escalation_matrix import matrix_context
from tower.tenancy.models import Client
from tower.tenancy.scoping import (
    CMO_ADMIN,
    CMO_ROLES,
    get_or_404,
    role_for,
    scope,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import form_refused, run_step

HISTORY_READ = 300  # newest history records read per kind of term
HISTORY_SHOWN = 100
NAV = "scorecards:agreements"
DEFAULT_CURRENCY = Agreement._meta.get_field("currency").default


# ---------------------------------------------------------------------------------------------
# Words for targets and terms


def target_text(kpi: Kpi, target: float, higher: bool) -> str:
    return f"{'≥' if higher else '≤'} {format_value(target, kpi.unit)}"


def band_text(kpi: Kpi, tolerance: float) -> str:
    """The amber band in the KPI's unit: points for a percentage or a rating."""
    if kpi.unit == "%":
        return f"{tolerance:.1f} points"
    if kpi.unit == "of 5":
        return f"{tolerance:.2f} points"
    return format_value(tolerance, kpi.unit)


def term_text(kind: str, rate: float, currency: str) -> str:
    if kind == PenaltyTerm.Kind.LINE_VALUE_PCT:
        return f"{rate:g} % of the line value per CMO-attributable failed line"
    if kind == PenaltyTerm.Kind.MONTH_BELOW_TARGET:
        return f"{rate:,.2f} {currency} per month below the OTIF target"
    return f"{kind} {rate:g}"


# ---------------------------------------------------------------------------------------------
# The list


@login_required
@require_GET
def agreement_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    ids = [c.pk for c in clients]
    targets = defaultdict(list)
    for row in KpiTarget.objects.filter(client_id__in=ids).visible_to(request.user):
        targets[row.client_id].append(row)
    agreements = {
        a.client_id: a for a in Agreement.objects.filter(client_id__in=ids).visible_to(request.user)
    }
    penalties = dict(
        PenaltyTerm.objects.filter(client_id__in=ids)
        .visible_to(request.user)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    rows = []
    for client in clients:
        agreed = [t for t in targets[client.pk] if t.kpi in KPI_BY_CODE]
        agreement = agreements.get(client.pk)
        rows.append(
            {
                "client": client,
                "agreed": len(agreed),
                "default": len(KPIS) - len(agreed),
                "differs": sum(1 for t in agreed if _differs_from_default(t)),
                "lookback": agreement.oos_lookback_days if agreement else DEFAULT_OOS_LOOKBACK_DAYS,
                "currency": agreement.currency if agreement else DEFAULT_CURRENCY,
                "penalties": penalties.get(client.pk, 0),
                "can_edit": role_for(request.user, client) == CMO_ADMIN,
            }
        )
    context = {
        "rows": rows,
        "kpi_count": len(KPIS),
        "show_clients": sees_client_names(request.user),
        "client_choices": clients,
    }
    return render(request, "scorecards/agreement_list.html", context)


def _differs_from_default(row: KpiTarget) -> bool:
    kpi = KPI_BY_CODE[row.kpi]
    higher = row.direction == KpiDirection.HIGHER
    return (row.target, row.tolerance, higher) != (
        kpi.default_target,
        kpi.default_tolerance,
        kpi.higher_is_better,
    )


# ---------------------------------------------------------------------------------------------
# One client's agreement


def _scoped_client(request, code: str) -> Client:
    return get_or_404(Client.objects.all(), request.user, client_field="", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_detail(request, code: str):
    client = _scoped_client(request, code)
    can_edit = role_for(request.user, client) == CMO_ADMIN
    stored = {t.kpi: t for t in KpiTarget.objects.filter(client=client).visible_to(request.user)}
    current = {
        kpi.code: (
            (stored[kpi.code].target, stored[kpi.code].tolerance)
            if kpi.code in stored
            else (kpi.default_target, kpi.default_tolerance)
        )
        for kpi in KPIS
    }
    agreement = agreement_of(client)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only a CMO administrator can change the agreement.")
        form = AgreementForm(request.POST, current=current)
        if form.is_valid():
            changes = form.run(lambda data: _save(client, form, stored, agreement, request.user))
            if changes is not None:
                if changes:
                    messages.success(request, "Agreement saved: " + "; ".join(changes) + ".")
                else:
                    messages.info(request, "Nothing changed: the agreement is as it was.")
                return redirect("scorecards:agreement", code=client.code)
    elif can_edit:
        form = AgreementForm(
            current=current,
            initial={
                "oos_lookback_days": agreement.oos_lookback_days,
                "currency": agreement.currency,
            },
        )

    terms = list(PenaltyTerm.objects.filter(client=client).visible_to(request.user).order_by("pk"))
    early = early_warning_of(client)
    context = {
        "client": client,
        "groups": _target_rows(stored, form),
        "agreement": agreement,
        "agreement_is_default": agreement.pk is None,
        "terms": [
            {"term": t, "text": term_text(t.kind, t.rate, agreement.currency)} for t in terms
        ],
        "form": form,
        "penalty_form": PenaltyTermForm() if can_edit else None,
        "early_warning": early_warning_rows(early),
        "early_warning_is_default": early.pk is None,
        "early_warning_form": EarlyWarningForm(initial=early.values()) if can_edit else None,
        "quality_agreement_form": (
            QualityAgreementForm(
                initial={
                    "number": agreement.quality_agreement_number,
                    "version": agreement.quality_agreement_version,
                    "effective_date": agreement.quality_agreement_effective,
                }
            )
            if role_for(request.user, client) in CMO_ROLES
            else None
        ),
        "can_edit": can_edit,
        "history": agreement_history(client, request.user),
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
        # The service agreement's team and its counterpart matrix (tower.agreements).
        **team_context(client, request.user),
        **matrix_context(client, request.user),
    }
    return render(request, "scorecards/agreement_detail.html", context)


def _target_rows(stored: dict[str, KpiTarget], form: AgreementForm | None) -> list:
    """The catalogue's KPIs by group, each with the target in force and, for admins, its inputs."""
    groups = []
    for group in GROUPS:
        rows = []
        for kpi in KPIS:
            if kpi.group != group:
                continue
            row = stored.get(kpi.code)
            target = row.target if row else kpi.default_target
            tolerance = row.tolerance if row else kpi.default_tolerance
            higher = row.direction == KpiDirection.HIGHER if row else kpi.higher_is_better
            rows.append(
                {
                    "kpi": kpi,
                    "target": target_text(kpi, target, higher),
                    "band": band_text(kpi, tolerance),
                    "higher": higher,
                    "is_default": row is None,
                    "default": target_text(kpi, kpi.default_target, kpi.higher_is_better),
                    "target_field": form[f"target_{kpi.code}"] if form else None,
                    "tolerance_field": form[f"tolerance_{kpi.code}"] if form else None,
                }
            )
        groups.append((group, rows))
    return groups


def _save(client: Client, form: AgreementForm, stored, agreement: Agreement, user) -> list[str]:
    """Write what the admin changed, each target through set_kpi_target (audited); return the
    changes in words."""
    data = form.cleaned_data
    changes = []
    for kpi, target, tolerance in form.changed_targets():
        row = stored.get(kpi.code)
        higher = row.direction == KpiDirection.HIGHER if row else None  # keep a set direction
        set_kpi_target(
            client=client,
            kpi=kpi.code,
            target=target,
            tolerance=tolerance,
            higher_is_better=higher,
            reason=data["reason"],
            user=user,
        )
        changes.append(f"{kpi.name} {format_value(target, kpi.unit)} (band {tolerance:g})")
    lookback, currency = data["oos_lookback_days"], data["currency"]
    before_lookback, before_currency = agreement.oos_lookback_days, agreement.currency
    if (lookback, currency) != (before_lookback, before_currency):
        set_agreement(
            client=client,
            oos_lookback_days=lookback,
            currency=currency,
            reason=data["reason"],
            user=user,
        )
        if lookback != before_lookback:
            changes.append(
                f"stock-out look-back {before_lookback} → {lookback} days "
                "(stock-outs attributed again)"
            )
        if currency != before_currency:
            changes.append(f"currency {before_currency} → {currency}")
    return changes


# ---------------------------------------------------------------------------------------------
# Penalty terms


@login_required
@require_POST
def penalty_add(request, code: str):
    client = _scoped_client(request, code)
    back = reverse("scorecards:agreement", args=[client.code]) + "#penalty-terms"
    form = PenaltyTermForm(request.POST)
    if not form.is_valid():
        return form_refused(request, back, form, "The penalty term was not added.")
    data = form.cleaned_data

    def step():
        term = add_penalty_term(
            client=client,
            kind=data["kind"],
            rate=data["rate"],
            description=data["description"],
            user=request.user,
        )
        currency = agreement_of(client).currency
        return f"Penalty term added: {term_text(term.kind, term.rate, currency)}."

    return run_step(request, back, step)


@login_required
@require_POST
def penalty_delete(request, code: str, pk: int):
    term = get_or_404(
        PenaltyTerm.objects.select_related("client"), request.user, pk=pk, client__code=code
    )
    back = reverse("scorecards:agreement", args=[term.client.code]) + "#penalty-terms"

    def step():
        text = term_text(term.kind, term.rate, agreement_of(term.client).currency)
        remove_penalty_term(term=term, user=request.user)
        return f"Penalty term removed: {text}."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# Early-warning settings (kpis.md 8)


def early_warning_rows(settings: EarlyWarningSettings) -> list[dict]:
    """Each setting in words, its value and whether it is the default."""
    return [
        {
            "name": name,
            "label": EarlyWarningForm.LABELS[name].removesuffix(" (days)"),
            "value": getattr(settings, name),
            "default": default,
            "help": EarlyWarningSettings._meta.get_field(name).help_text,
        }
        for name, default in EARLY_WARNING_DEFAULTS.items()
    ]


def _early_warning_change(h, before) -> str:
    values = {name: getattr(h, name) for name in EARLY_WARNING_DEFAULTS}
    if before is None:
        return ", ".join(f"{EarlyWarningForm.LABELS[n]} {v}" for n, v in values.items())
    parts = [
        f"{EarlyWarningForm.LABELS[n].removesuffix(' (days)')} {getattr(before, n)} → {v} days"
        for n, v in values.items()
        if getattr(before, n) != v
    ]
    return ", ".join(parts) or "saved unchanged"


@login_required
@require_POST
def early_warning(request, code: str):
    client = _scoped_client(request, code)
    back = reverse("scorecards:agreement", args=[client.code]) + "#early-warning"
    form = EarlyWarningForm(request.POST)
    if not form.is_valid():
        return form_refused(request, back, form, "The early-warning settings were not saved.")

    def step():
        before = early_warning_of(client).values()
        after = set_early_warning(
            client=client,
            values=form.values(),
            user=request.user,
            reason=form.cleaned_data["reason"],
        ).values()
        changed = [
            f"{EarlyWarningForm.LABELS[n].removesuffix(' (days)')} {before[n]} → {v} days"
            for n, v in after.items()
            if before[n] != v
        ]
        if not changed:
            return "Nothing changed: the early-warning settings are as they were."
        return "Early-warning settings saved: " + "; ".join(changed) + "."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# The quality agreement reference (CMO staff and admins)


def quality_agreement_text(number: str, version: str, effective) -> str:
    if not number:
        return "none"
    return f"{number} version {version}, effective {effective.isoformat() if effective else '—'}"


@login_required
@require_POST
def quality_agreement(request, code: str):
    client = _scoped_client(request, code)
    back = reverse("scorecards:agreement", args=[client.code]) + "#quality-agreement"
    form = QualityAgreementForm(request.POST)
    if not form.is_valid():
        return form_refused(request, back, form, "The quality agreement reference was not saved.")
    data = form.cleaned_data

    def step():
        before = agreement_of(client)
        was = (
            before.quality_agreement_number,
            before.quality_agreement_version,
            before.quality_agreement_effective,
        )
        after = set_quality_agreement(
            client=client,
            number=data["number"],
            version=data["version"],
            effective_date=data["effective_date"],
            user=request.user,
            reason=data["reason"],
        )
        now = (
            after.quality_agreement_number,
            after.quality_agreement_version,
            after.quality_agreement_effective,
        )
        if now == was:
            return "Nothing changed: the quality agreement reference is as it was."
        if not now[0]:
            return "Quality agreement reference removed."
        return f"Quality agreement reference saved: {quality_agreement_text(*now)}."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# History


def agreement_history(client: Client, user) -> list[dict]:
    """Who changed which term of the agreement when, before → after, newest first (the audited
    records of KpiTarget, Agreement, EarlyWarningSettings and PenaltyTerm; four queries whatever
    their number)."""
    entries = []
    records = (
        scope(KpiTarget.history.filter(client=client), user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_READ]
    )
    for h, before in _with_previous(records):
        kpi = KPI_BY_CODE.get(h.kpi)
        if kpi is None:
            continue
        entries.append(_entry(h, kpi.name, _target_change(kpi, h, before)))
    records = (
        scope(Agreement.history.filter(client=client), user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_READ]
    )
    for h, before in _with_previous(records):
        for what, change in _terms_changes(h, before):
            entries.append(_entry(h, what, change))
    records = (
        scope(EarlyWarningSettings.history.filter(client=client), user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_READ]
    )
    for h, before in _with_previous(records):
        entries.append(_entry(h, "Early-warning settings", _early_warning_change(h, before)))
    records = (
        scope(PenaltyTerm.history.filter(client=client), user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_READ]
    )
    currency = agreement_of(client).currency
    for h in records:
        text = term_text(h.kind, h.rate, currency)
        if h.history_type == "+":
            change = f"added: {text}"
        elif h.history_type == "-":
            change = f"removed: {text}"
        else:
            change = f"changed to: {text}"
        entries.append(_entry(h, "Penalty term", change))
    entries.sort(key=lambda e: (e["when"], e["order"]), reverse=True)
    return entries[:HISTORY_SHOWN]


def _with_previous(records):
    """Each history record with the record before it of the same object (None for the first,
    or when it is older than what was read)."""
    records = list(records)
    previous = {}
    for h in reversed(records):  # oldest first
        yield h, previous.get(h.id)
        previous[h.id] = h


def _entry(h, what: str, change: str) -> dict:
    return {
        "when": h.history_date,
        "order": h.history_id,
        "who": h.history_user.username if h.history_user else "—",
        "what": what,
        "change": change,
        "reason": h.history_change_reason or "",
    }


def _target_change(kpi: Kpi, h, before) -> str:
    higher = h.direction == KpiDirection.HIGHER
    if h.history_type == "-":
        return "agreed target removed: the default applies"
    if before is None:
        was = target_text(kpi, kpi.default_target, kpi.higher_is_better)
        if h.history_type == "+":
            return (
                f"target {was} (default) → {target_text(kpi, h.target, higher)}, "
                f"amber band {band_text(kpi, h.tolerance)}"
            )
        return (
            f"target {target_text(kpi, h.target, higher)}, amber band {band_text(kpi, h.tolerance)}"
        )
    parts = []
    before_higher = before.direction == KpiDirection.HIGHER
    if (before.target, before_higher) != (h.target, higher):
        parts.append(
            f"target {target_text(kpi, before.target, before_higher)} → "
            f"{target_text(kpi, h.target, higher)}"
        )
    if before.tolerance != h.tolerance:
        parts.append(
            f"amber band {band_text(kpi, before.tolerance)} → {band_text(kpi, h.tolerance)}"
        )
    return ", ".join(parts) or "saved unchanged"


def _qa(h) -> tuple:
    return (h.quality_agreement_number, h.quality_agreement_version, h.quality_agreement_effective)


def _terms_changes(h, before) -> list[tuple[str, str]]:
    """What one record of the agreement's terms changed: the look-back and currency, and the
    quality agreement reference, each as its own entry."""
    if before is None:  # the first record (or its predecessor was not read)
        entries = [
            (
                "Look-back and currency",
                f"stock-out look-back {h.oos_lookback_days} days, currency {h.currency}",
            )
        ]
        if h.quality_agreement_number:
            entries.append(("Quality agreement", quality_agreement_text(*_qa(h))))
        return entries
    entries = []
    parts = []
    if before.oos_lookback_days != h.oos_lookback_days:
        parts.append(f"stock-out look-back {before.oos_lookback_days} → {h.oos_lookback_days} days")
    if before.currency != h.currency:
        parts.append(f"currency {before.currency} → {h.currency}")
    if parts:
        entries.append(("Look-back and currency", ", ".join(parts)))
    if _qa(before) != _qa(h):
        entries.append(
            (
                "Quality agreement",
                f"{quality_agreement_text(*_qa(before))} → {quality_agreement_text(*_qa(h))}",
            )
        )
    return entries or [("Look-back and currency", "saved unchanged")]
