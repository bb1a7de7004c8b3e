"""The escalation matrix and triggers of a client's agreement (kpis.md 9), on the agreement page:
ordered levels (who on each side, response time in business hours, whose site calendar) and the
triggers with their thresholds. CMO admins change them (audited); everyone who sees the client
reads them. A running escalation keeps the matrix it started with."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_POST

from tower.agreements.forms import EscalationMatrixForm
from tower.agreements.models import MAX_ESCALATION_LEVELS, EscalationTrigger, TeamMember
from tower.agreements.services import (
    escalation_levels,
    escalation_triggers,
    set_escalation_levels,
    set_escalation_trigger,
)
from tower.calendars.services import calendars_by_site, default_calendar
from tower.masterdata.models import Site
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ADMIN, get_or_404, role_for
from tower.web.pages import form_refused, run_step


def _sites() -> list[str]:
    return list(Site.objects.order_by("code").values_list("code", flat=True))


def _members(client: Client, user) -> list[TeamMember]:
    return list(
        TeamMember.objects.filter(client=client)
        .visible_to(user)
        .order_by("side", "function", "name")
    )


def matrix_context(client: Client, user) -> dict:
    """What the agreement page shows of the matrix and triggers (and the forms for admins)."""
    levels = escalation_levels(client)
    calendars = calendars_by_site({lv.site_id for lv in levels if lv.site_id})
    can_edit = role_for(user, client) == CMO_ADMIN
    form = None
    if can_edit:
        initial = {}
        for lv in levels:
            for name in EscalationMatrixForm.PARTS:
                value = getattr(lv, name)
                initial[f"level{lv.number}_{name}"] = (
                    value.code if name == "site" and value else (value or "")
                )
        form = EscalationMatrixForm(sites=_sites(), rows=MAX_ESCALATION_LEVELS, initial=initial)
    triggers = []
    for kind, row in escalation_triggers(client).items():
        meaning, default = EscalationTrigger.THRESHOLDS[kind]
        triggers.append(
            {
                "kind": kind,
                "label": EscalationTrigger.Kind(kind).label,
                "enabled": row.enabled,
                "threshold": row.threshold,
                "meaning": meaning,
                "default": default,
            }
        )
    return {
        "escalation_levels": [
            {
                "level": lv,
                "calendar": (
                    calendars.get(lv.site_id) if lv.site_id else default_calendar()
                ).describe(),
            }
            for lv in levels
        ],
        "escalation_triggers": triggers,
        "escalation_form": form,
        "escalation_can_edit": can_edit,
    }


def _client(request, code: str) -> Client:
    return get_or_404(Client.objects.all(), request.user, client_field="", code=code)


@login_required
@require_POST
def escalation_levels_save(request, code: str):
    client = _client(request, code)
    back = reverse("scorecards:agreement", args=[client.code]) + "#escalation-matrix"
    form = EscalationMatrixForm(
        request.POST,
        sites=_sites(),
        members=_members(client, request.user),
        rows=MAX_ESCALATION_LEVELS,
    )
    if not form.is_valid():
        return form_refused(request, back, form, "The escalation matrix was not saved.")

    def step():
        levels = set_escalation_levels(
            client=client,
            levels=form.levels(),
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
        return f"Escalation matrix saved: {len(levels)} level{'s' if len(levels) != 1 else ''}."

    return run_step(request, back, step)


@login_required
@require_POST
def escalation_triggers_save(request, code: str):
    client = _client(request, code)
    back = reverse("scorecards:agreement", args=[client.code]) + "#escalation-triggers"

    def step():
        changed = []
        for kind in EscalationTrigger.Kind.values:
            raw = request.POST.get(f"threshold_{kind}", "").strip()
            if raw and not raw.isdigit():
                from tower.workflow import WorkflowError

                raise WorkflowError(
                    f"{EscalationTrigger.Kind(kind).label}: the threshold must be a whole number."
                )
            before = escalation_triggers(client)[kind]
            after = set_escalation_trigger(
                client=client,
                kind=kind,
                enabled=request.POST.get(f"enabled_{kind}") == "on",
                threshold=int(raw) if raw else None,
                user=request.user,
                reason=request.POST.get("reason", "")[:100],
            )
            if (before.enabled, before.threshold) != (after.enabled, after.threshold) or (
                before.pk is None and after.pk is not None and after.enabled
            ):
                changed.append(EscalationTrigger.Kind(kind).label)
        if not changed:
            return "Nothing changed: the triggers are as they were."
        return "Escalation triggers saved: " + ", ".join(changed) + "."

    return run_step(request, back, step)
