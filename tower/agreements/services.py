"""Writes of what a client and the CMO agreed: definition versions, KPI targets, terms, penalties.

Keyword-only functions taking the acting user, audited (who, when, before and after). They write
the agreement only: what is computed from it lives in the apps above and is refreshed by their
own services (tower.performance.services.set_definition recomputes outcomes after a new
definition, tower.scorecards.services.set_agreement attributes stock-outs after a new look-back).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tower.agreements.models import (
    EARLY_WARNING_DEFAULTS,
    MAX_EARLY_WARNING_DAYS,
    MAX_ESCALATION_LEVELS,
    MAX_RESPONSE_HOURS,
    Agreement,
    EarlyWarningSettings,
    EscalationLevel,
    EscalationTrigger,
    KpiDirection,
    KpiTarget,
    OtifDefinitionVersion,
    PenaltyTerm,
)
from tower.agreements.queries import current_definition
from tower.engine import OtifDefinition
from tower.engine.kpi_catalogue import KPI_BY_CODE
from tower.tenancy.locks import lock_clients
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ADMIN, require_role
from tower.workflow import WorkflowError, audit_as

ADMIN_ONLY = frozenset({CMO_ADMIN})


def add_definition_version(
    *, client: Client, parameters: dict[str, Any], actor: str, note: str = ""
) -> OtifDefinitionVersion:
    """Store the next version of a client's OTIF definition (the caller recomputes outcomes).

    Raises tower.engine.DefinitionError (nothing written) when a parameter is invalid.
    """
    definition = OtifDefinition.from_mapping(parameters)
    lock_clients([client.code])
    current, _ = current_definition(client)
    return OtifDefinitionVersion.objects.create(
        client=client,
        version=current + 1,
        parameters=definition.to_mapping(),
        created_by=actor,
        note=note,
    )


@transaction.atomic
def set_kpi_target(
    *,
    client: Client,
    kpi: str,
    target: float,
    tolerance: float,
    user,
    higher_is_better: bool | None = None,
    reason: str = "",
) -> KpiTarget:
    """Set the agreement target of one KPI; the direction defaults to the KPI's natural one."""
    require_role(user, client, ADMIN_ONLY, "change agreement targets")
    spec = KPI_BY_CODE.get(kpi)
    if spec is None:
        raise WorkflowError(f"Unknown KPI {kpi!r}.")
    if tolerance < 0:
        raise WorkflowError("The amber band cannot be negative.")
    higher = spec.higher_is_better if higher_is_better is None else higher_is_better
    direction = KpiDirection.HIGHER if higher else KpiDirection.LOWER
    row = KpiTarget.objects.filter(client=client, kpi=kpi).first() or KpiTarget(
        client=client, kpi=kpi
    )
    if row.pk and (row.target, row.tolerance, row.direction) == (target, tolerance, direction):
        return row
    row.target, row.tolerance, row.direction = target, tolerance, direction
    audit_as(row, user, reason)
    row.save()
    return row


def agreement_of(client: Client) -> Agreement:
    """The client's agreement terms; defaults (not saved) when none were set."""
    return Agreement.objects.filter(client=client).first() or Agreement(client=client)


@transaction.atomic
def set_agreement(
    *, client: Client, oos_lookback_days: int, currency: str, user, reason: str = ""
) -> Agreement:
    require_role(user, client, ADMIN_ONLY, "change agreement terms")
    if not 1 <= oos_lookback_days <= 365:
        raise WorkflowError("The stock-out look-back must be between 1 and 365 days.")
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise WorkflowError("Write the currency as a three-letter code, e.g. EUR.")
    agreement = agreement_of(client)
    agreement.oos_lookback_days, agreement.currency = oos_lookback_days, currency
    audit_as(agreement, user, reason)
    agreement.save()
    return agreement


def early_warning_of(client: Client) -> EarlyWarningSettings:
    """The client's early-warning settings; the defaults (not saved) when none were set."""
    return EarlyWarningSettings.objects.filter(client=client).first() or EarlyWarningSettings(
        client=client
    )


@transaction.atomic
def set_early_warning(
    *, client: Client, values: dict[str, int], user, reason: str = ""
) -> EarlyWarningSettings:
    """Set the early-warning settings named in `values` (the others keep theirs), audited.

    Each is a whole number of days from 0 to 365; anything else is refused with the setting's
    name and nothing is written. Saving the values in force (also the defaults) writes nothing. The projections
    computed from them are refreshed by the caller above (tower.scorecards.services).
    """
    require_role(user, client, ADMIN_ONLY, "change the early-warning settings")
    unknown = sorted(set(values) - set(EARLY_WARNING_DEFAULTS))
    if unknown:
        raise WorkflowError(
            f"Unknown early-warning setting {', '.join(unknown)}; "
            f"valid: {', '.join(EARLY_WARNING_DEFAULTS)}."
        )
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise WorkflowError(f"{name} must be a whole number of days.")
        if not 0 <= value <= MAX_EARLY_WARNING_DAYS:
            raise WorkflowError(f"{name} must be between 0 and {MAX_EARLY_WARNING_DAYS} days.")
    settings = early_warning_of(client)
    if all(getattr(settings, n) == v for n, v in values.items()):
        return settings  # the values in force (the defaults too): nothing to record
    for name, value in values.items():
        setattr(settings, name, value)
    audit_as(settings, user, reason)
    settings.save()
    return settings


@transaction.atomic
def add_penalty_term(
    *, client: Client, kind: str, rate: float, description: str = "", user
) -> PenaltyTerm:
    require_role(user, client, ADMIN_ONLY, "change penalty terms")
    if kind not in PenaltyTerm.Kind.values:
        raise WorkflowError(f"Unknown penalty kind {kind!r}.")
    if rate <= 0:
        raise WorkflowError("The penalty rate must be more than zero.")
    if kind == PenaltyTerm.Kind.LINE_VALUE_PCT and rate > 100:
        raise WorkflowError("A percentage of the line value cannot exceed 100.")
    term = PenaltyTerm(client=client, kind=kind, rate=rate, description=description.strip())
    audit_as(term, user, "added")
    term.save()
    return term


@transaction.atomic
def remove_penalty_term(*, term: PenaltyTerm, user) -> None:
    require_role(user, term.client, ADMIN_ONLY, "change penalty terms")
    audit_as(term, user, "removed")
    term.delete()


# --- escalation matrix and triggers (kpis.md 9) ---------------------------------------------------

LEVEL_FIELDS = (
    "cmo_person",
    "cmo_role",
    "cmo_email",
    "client_person",
    "client_role",
    "client_email",
)


def escalation_levels(client: Client) -> list[EscalationLevel]:
    return list(EscalationLevel.objects.filter(client=client).select_related("site"))


def escalation_triggers(client: Client) -> dict[str, EscalationTrigger]:
    """Every trigger kind with the client's row, or an unsaved default (disabled)."""
    stored = {t.kind: t for t in EscalationTrigger.objects.filter(client=client)}
    return {
        kind: stored.get(kind)
        or EscalationTrigger(
            client=client,
            kind=kind,
            enabled=False,
            threshold=EscalationTrigger.THRESHOLDS[kind][1],
        )
        for kind in EscalationTrigger.Kind.values
    }


def _level_values(number: int, values: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from tower.masterdata.models import Site

    row = {name: str(values.get(name) or "").strip() for name in LEVEL_FIELDS}
    for name in LEVEL_FIELDS:
        if len(row[name]) > 150:
            raise WorkflowError(f"Level {number}: {name.replace('_', ' ')} is too long.")
    for side in ("cmo", "client"):
        if not (row[f"{side}_person"] or row[f"{side}_role"]):
            raise WorkflowError(
                f"Level {number}: name the {'CMO' if side == 'cmo' else 'client'} person or role."
            )
        address = row[f"{side}_email"]
        if address:
            try:
                validate_email(address)
            except ValidationError:
                raise WorkflowError(
                    f"Level {number}: {address!r} is not an e-mail address."
                ) from None
    try:
        hours = Decimal(str(values.get("response_hours"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise WorkflowError(
            f"Level {number}: the response time must be a number of hours."
        ) from None
    if not hours.is_finite() or not 0 < hours <= MAX_RESPONSE_HOURS:
        raise WorkflowError(
            f"Level {number}: the response time must be more than 0 and at most "
            f"{MAX_RESPONSE_HOURS:,} business hours."
        )
    row["response_hours"] = hours
    site = values.get("site")
    if isinstance(site, str):
        site = Site.objects.filter(code=site.strip()).first() if site.strip() else None
        if values.get("site", "").strip() and site is None:
            raise WorkflowError(f"Level {number}: unknown site {values['site']!r}.")
    row["site"] = site
    return row


@transaction.atomic
def set_escalation_levels(
    *, client: Client, levels: list[dict[str, Any]], user, reason: str = ""
) -> list[EscalationLevel]:
    """Replace the client's escalation matrix with `levels` (first level first), audited.

    Unchanged levels write nothing; levels beyond the new last one are removed. Running
    escalations keep the matrix they started with.
    """
    require_role(user, client, ADMIN_ONLY, "change the escalation matrix")
    if len(levels) > MAX_ESCALATION_LEVELS:
        raise WorkflowError(f"An escalation matrix has at most {MAX_ESCALATION_LEVELS} levels.")
    rows = [_level_values(n, values) for n, values in enumerate(levels, start=1)]
    lock_clients([client.code])
    stored = {level.number: level for level in EscalationLevel.objects.filter(client=client)}
    result = []
    for number, values in enumerate(rows, start=1):
        level = stored.pop(number, None) or EscalationLevel(client=client, number=number)
        if level.pk and all(getattr(level, k) == v for k, v in values.items()):
            result.append(level)
            continue
        for name, value in values.items():
            setattr(level, name, value)
        audit_as(level, user, reason)
        level.save()
        result.append(level)
    for level in stored.values():
        audit_as(level, user, reason or "level removed")
        level.delete()
    return result


@transaction.atomic
def set_escalation_trigger(
    *, client: Client, kind: str, enabled: bool, threshold: int | None, user, reason: str = ""
) -> EscalationTrigger:
    """Switch a trigger on or off and set its threshold, audited."""
    require_role(user, client, ADMIN_ONLY, "change the escalation triggers")
    if kind not in EscalationTrigger.Kind.values:
        raise WorkflowError(f"Unknown trigger {kind!r}.")
    meaning, default = EscalationTrigger.THRESHOLDS[kind]
    if meaning is None:
        threshold = 0
    elif threshold is None:
        threshold = default
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int)
        or not 0 <= threshold <= 10_000
    ):
        raise WorkflowError(f"The threshold ({meaning}) must be a whole number from 0 to 10,000.")
    if kind == EscalationTrigger.Kind.CAUSE_DISPUTED and threshold < 1:
        raise WorkflowError("A cause must be disputed at least once to escalate.")
    row = EscalationTrigger.objects.filter(client=client, kind=kind).first() or EscalationTrigger(
        client=client, kind=kind
    )
    if row.pk and (row.enabled, row.threshold) == (bool(enabled), threshold):
        return row
    row.enabled, row.threshold = bool(enabled), threshold
    audit_as(row, user, reason)
    row.save()
    return row
