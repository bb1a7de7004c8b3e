"""Writes of what a client and the CMO agreed: definition versions, KPI targets, terms, penalties,
the quality agreement reference.

Keyword-only functions taking the acting user, audited (who, when, before and after). They write
the agreement only: what is computed from it lives in the apps above and is refreshed by their
own services (tower.performance.services.set_definition recomputes outcomes after a new
definition, tower.scorecards.services.set_agreement attributes stock-outs after a new look-back).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from tower.agreements.models import (
    EARLY_WARNING_DEFAULTS,
    MAX_EARLY_WARNING_DAYS,
    Agreement,
    EarlyWarningSettings,
    KpiDirection,
    KpiTarget,
    OtifDefinitionVersion,
    PenaltyTerm,
)
from tower.agreements.queries import current_definition
from tower.engine import OtifDefinition
from tower.engine.kpi_catalogue import KPI_BY_CODE
from tower.ingest.limits import CONTROL_CHARACTERS
from tower.tenancy.locks import lock_clients
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ADMIN, CMO_ROLES, require_role
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


QA_EDITORS = CMO_ROLES  # the CMO's people for the client keep the quality agreement reference
QA_NUMBER_LIMIT = Agreement._meta.get_field("quality_agreement_number").max_length
QA_VERSION_LIMIT = Agreement._meta.get_field("quality_agreement_version").max_length


@transaction.atomic
def set_quality_agreement(
    *,
    client: Client,
    number: str,
    version: str,
    effective_date: dt.date | None,
    user,
    reason: str = "",
) -> Agreement:
    """Record the quality agreement in force (document number, version, effective date), audited.

    All three together, or all three empty to remove the reference; the same values write
    nothing. CMO staff and admins of the client.
    """
    require_role(user, client, QA_EDITORS, "change the quality agreement reference")
    number, version = (number or "").strip(), (version or "").strip()
    given = [bool(number), bool(version), effective_date is not None]
    if any(given) and not all(given):
        raise WorkflowError(
            "Give the quality agreement's document number, version and effective date together "
            "(or leave all three empty to remove the reference)."
        )
    if len(number) > QA_NUMBER_LIMIT or len(version) > QA_VERSION_LIMIT:
        raise WorkflowError(
            f"The document number takes at most {QA_NUMBER_LIMIT} characters, the version "
            f"{QA_VERSION_LIMIT}."
        )
    if re.search(CONTROL_CHARACTERS, number + version):
        raise WorkflowError("The document number or version holds a control character.")
    if effective_date is not None and not dt.date(1900, 1, 1) <= effective_date <= dt.date(
        2999, 12, 31
    ):
        raise WorkflowError("Give the effective date between the years 1900 and 2999.")
    agreement = agreement_of(client)
    before = (
        agreement.quality_agreement_number,
        agreement.quality_agreement_version,
        agreement.quality_agreement_effective,
    )
    if before == (number, version, effective_date):
        return agreement
    agreement.quality_agreement_number = number
    agreement.quality_agreement_version = version
    agreement.quality_agreement_effective = effective_date
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
