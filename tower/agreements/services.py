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

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import FilteredRelation, ProtectedError, Q, RestrictedError

from tower.agreements.models import (
    EARLY_WARNING_DEFAULTS,
    MAX_EARLY_WARNING_DAYS,
    MAX_ESCALATION_LEVELS,
    MAX_NAME,
    MAX_PHONE,
    MAX_RESPONSE_HOURS,
    MAX_TITLE,
    Agreement,
    EarlyWarningSettings,
    EscalationLevel,
    EscalationTrigger,
    KpiDirection,
    KpiTarget,
    OtifDefinitionVersion,
    PenaltyTerm,
    TeamFunction,
    TeamMember,
    TeamSide,
)
from tower.agreements.queries import current_definition
from tower.engine import OtifDefinition
from tower.engine.kpi_catalogue import KPI_BY_CODE
from tower.ingest.limits import CONTROL_CHARACTERS
from tower.tenancy.locks import lock_clients
from tower.tenancy.models import CLIENT_ROLES, Client, Role
from tower.tenancy.scoping import CMO_ADMIN, CMO_ROLES, require_role, role_for
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


# ---------------------------------------------------------------------------------------------
# The service agreement's team and its counterpart matrix
#
# Who may change it (tower.tenancy roles): the CMO's people for the client (CMO admins and the
# client's CMO staff) change both sides; a client approver changes the client's own side (the
# people the client sends to the table are the client's to name); a client viewer reads.

TEAM_EDITORS = {TeamSide.CMO: CMO_ROLES, TeamSide.CLIENT: CMO_ROLES | {Role.CLIENT_APPROVER}}
MAX_EMAIL = 254
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 20
# +49 30 1234-5678, (030) 1234 5678, +1.617.555.0100 ext 12
PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)


def team_sides_editable(user, client: Client) -> list[str]:
    """The sides of the client's team the user may change (none for a viewer)."""
    role = role_for(user, client)
    return [side for side, roles in TEAM_EDITORS.items() if role in roles]


def clean_person_name(value: str, what: str = "name", limit: int = MAX_NAME) -> str:
    value = " ".join((value or "").split())
    if what == "name" and not value:
        raise WorkflowError("Write the person's name.")
    if len(value) > limit:
        raise WorkflowError(f"The {what} is {len(value)} characters long; at most {limit}.")
    return value


def clean_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError("Write the person's e-mail address.")
    if len(value) > MAX_EMAIL:
        raise WorkflowError(f"The e-mail address is longer than {MAX_EMAIL} characters.")
    try:
        validate_email(value)
    except ValidationError as exc:
        raise WorkflowError(f"{value!r} is not an e-mail address (e.g. name@example.com).") from exc
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(value: str) -> str:
    """A phone number as written (spaces tidied), or "" for none; refused unless it reads as
    one: digits with +, spaces, brackets, dots, slashes or hyphens, 6 to 20 digits, an
    optional extension ("ext 12")."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    if len(value) > MAX_PHONE or not PHONE.match(value):
        raise WorkflowError(
            f"{value[:40]!r} is not a phone number: write digits, optionally with +, spaces "
            "and hyphens, e.g. +49 30 1234 5678."
        )
    digits = sum(c.isdigit() for c in value)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise WorkflowError(
            f"A phone number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits; "
            f"{value!r} has {digits}."
        )
    return value


def team_user_choices(client: Client, side: str):
    """The sign-ins a person of this side can be linked to: CMO admins and the client's CMO
    staff for the CMO side, the client's own members for the client side (active only)."""
    users = get_user_model().objects.filter(is_active=True)
    if side == TeamSide.CMO:
        cmo = Q(is_superuser=True) | Q(memberships__client=client, memberships__role=Role.CMO_STAFF)
        return users.filter(cmo).distinct().order_by("username")
    return users.filter(
        memberships__client=client, memberships__role__in=list(CLIENT_ROLES)
    ).order_by("username")


def team_sign_ins(client: Client) -> dict[str, list[tuple[int, str]]]:
    """(id, username) of the sign-ins each side's people can be linked to (team_user_choices
    of both sides, in one query: the agreement page's form)."""
    rows = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(here=FilteredRelation("memberships", condition=Q(memberships__client=client)))
        .filter(Q(is_superuser=True) | Q(here__isnull=False))
        .order_by("username")
        .values_list("pk", "username", "is_superuser", "here__role")
    )
    sides: dict[str, list[tuple[int, str]]] = {TeamSide.CMO: [], TeamSide.CLIENT: []}
    for pk, username, superuser, role in rows:
        if superuser or role == Role.CMO_STAFF:
            sides[TeamSide.CMO].append((pk, username))
        elif role in CLIENT_ROLES:
            sides[TeamSide.CLIENT].append((pk, username))
    return sides


def _check_side(side: str) -> None:
    if side not in TeamSide.values:
        raise WorkflowError(f"Unknown side {side!r}: {', '.join(TeamSide.values)}.")


def _check_member(client: Client, side: str, function: str, linked) -> None:
    if function not in TeamFunction.values:
        raise WorkflowError(f"Unknown function {function!r}: {', '.join(TeamFunction.values)}.")
    if linked is not None and not team_user_choices(client, side).filter(pk=linked.pk).exists():
        where = "a CMO user of" if side == TeamSide.CMO else "a client user of"
        raise WorkflowError(f"The sign-in {linked.get_username()!r} is not {where} {client.name}.")


@transaction.atomic
def add_team_member(
    *,
    client: Client,
    side: str,
    function: str,
    name: str,
    email: str,
    phone: str = "",
    title: str = "",
    deputy: bool = False,
    linked_user=None,
    user,
    reason: str = "",
) -> TeamMember:
    """Name a person of the client's team (audited); refused with the reason when a value is
    invalid, the user may not change that side, or the person is already named there."""
    _check_side(side)
    require_role(user, client, TEAM_EDITORS[side], "change this side's team")
    member = TeamMember(client=client)
    _fill(member, side, function, name, email, phone, title, deputy, linked_user)
    audit_as(member, user, reason or "added")
    member.save()
    return member


@transaction.atomic
def update_team_member(
    *,
    member: TeamMember,
    side: str,
    function: str,
    name: str,
    email: str,
    phone: str = "",
    title: str = "",
    deputy: bool = False,
    linked_user=None,
    user,
    reason: str = "",
) -> bool:
    """Change a person of the team (audited); False when nothing changed. Moving a person to
    the other side needs the right to change both sides."""
    client = member.client
    require_role(user, client, TEAM_EDITORS[member.side], "change this side's team")
    _check_side(side)
    require_role(user, client, TEAM_EDITORS[side], "change this side's team")
    fields = ["side", "function", "name", "email", "phone", "title", "deputy", "user_id"]
    before = [getattr(member, f) for f in fields]
    _fill(member, side, function, name, email, phone, title, deputy, linked_user)
    if [getattr(member, f) for f in fields] == before:
        return False
    audit_as(member, user, reason)
    member.save()
    return True


@transaction.atomic
def remove_team_member(*, member: TeamMember, user, reason: str = "") -> None:
    """Remove a person from the team (the history keeps them). A person something else still
    points at (e.g. a level of the escalation matrix that protects its people) is refused."""
    require_role(user, member.client, TEAM_EDITORS[member.side], "change this side's team")
    audit_as(member, user, reason or "removed")
    try:
        with transaction.atomic():
            member.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise WorkflowError(
            f"{member.name} is still named elsewhere in the agreement (e.g. the escalation "
            "matrix): name someone else there first."
        ) from exc


def _fill(member, side, function, name, email, phone, title, deputy, linked_user) -> None:
    _check_member(member.client, side, function, linked_user)
    member.side, member.function = side, function
    member.name = clean_person_name(name)
    member.title = clean_person_name(title, "job title", MAX_TITLE)
    member.email = clean_email(email)
    member.phone = clean_phone(phone)
    member.deputy = bool(deputy)
    member.user = linked_user
    clash = TeamMember.objects.filter(
        client=member.client, side=side, function=function, email__iexact=member.email
    ).exclude(pk=member.pk)
    if clash.exists():
        raise WorkflowError(
            f"{member.email} is already named for {TeamFunction(function).label} on the "
            f"{TeamSide(side).label} side."
        )


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
    return list(
        EscalationLevel.objects.filter(client=client).select_related(
            "site", "cmo_member", "client_member"
        )
    )


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


def _member(client: Client, number: int, side: str, value) -> TeamMember | None:
    if value in (None, ""):
        return None
    if not isinstance(value, TeamMember):
        value = str(value).strip()
        found = (
            TeamMember.objects.filter(client=client, pk=int(value)).first()
            if value.isdigit()
            else None
        )
        if found is None:
            raise WorkflowError(f"Level {number}: no such person in {client.code}'s team.")
        value = found
    if value.client_id != client.pk or value.side != side:
        raise WorkflowError(
            f"Level {number}: {value.name} is not on the {'CMO' if side == 'cmo' else 'client'} "
            f"side of {client.code}'s team."
        )
    return value


def _level_values(client: Client, number: int, values: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from tower.masterdata.models import Site

    row: dict[str, Any] = {name: str(values.get(name) or "").strip() for name in LEVEL_FIELDS}
    for name in LEVEL_FIELDS:
        if len(row[name]) > 150:
            raise WorkflowError(f"Level {number}: {name.replace('_', ' ')} is too long.")
    for side in ("cmo", "client"):
        member = _member(client, number, side, values.get(f"{side}_member"))
        row[f"{side}_member"] = member
        if not (member or row[f"{side}_person"] or row[f"{side}_role"]):
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
        code = site.strip()
        site = Site.objects.filter(code=code).first() if code else None
        if code and site is None:
            raise WorkflowError(f"Level {number}: unknown site {code!r}.")
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
    rows = [_level_values(client, n, values) for n, values in enumerate(levels, start=1)]
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
