"""A client's agreement as the control tower applies it: OTIF definition versions and targets,
the service agreement's team (its counterpart matrix) and the "who to call" page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.agreements.forms import TeamMemberForm
from tower.agreements.models import KpiTarget, OtifDefinitionVersion, TeamMember
from tower.agreements.queries import counterpart_matrix, otif_targets, team_of
from tower.agreements.services import (
    add_team_member,
    remove_team_member,
    team_sides_editable,
    team_sign_ins,
    update_team_member,
)
from tower.engine import OtifDefinition
from tower.tenancy.models import Client
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    is_cmo_side,
    scope,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import form_refused, run_step


@login_required
@require_GET
def definition_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    latest = {}
    for version in (
        OtifDefinitionVersion.objects.all().visible_to(request.user).order_by("client", "version")
    ):
        latest[version.client_id] = version
    rows = [{"client": c, "version": latest.get(c.pk)} for c in clients]
    return render(
        request,
        "agreements/definition_list.html",
        {"rows": rows, "show_clients": sees_client_names(request.user)},
    )


@login_required
@require_GET
def definition_detail(request, code: str):
    client = get_or_404(Client.objects.all(), request.user, client_field="", code=code)
    versions = list(
        OtifDefinitionVersion.objects.filter(client=client)
        .visible_to(request.user)
        .order_by("-version")
    )
    # Each version next to the one before it, parameter by parameter (before -> after).
    default = OtifDefinition().to_mapping()
    rows = []
    for index, version in enumerate(versions):
        before = versions[index + 1].parameters if index + 1 < len(versions) else default
        rows.append(
            {
                "version": version,
                "changes": [
                    (key, before.get(key), value)
                    for key, value in version.parameters.items()
                    if before.get(key) != value
                ],
            }
        )
    targets = otif_targets([client])[client.pk]
    return render(
        request,
        "agreements/definition_detail.html",
        {
            "client": client,
            "rows": rows,
            "current": versions[0].parameters if versions else default,
            "current_version": versions[0].version if versions else 0,
            "targets": targets,
            "target_history": scope(KpiTarget.history.filter(client=client), request.user)
            .select_related("history_user")
            .order_by("-history_date")[:50],
        },
    )


# ---------------------------------------------------------------------------------------------
# The service agreement's team (shown on the agreement page, /agreements/CODE/#team) and the
# client's "who to call" page. Who may change which side: tower.agreements.services.TEAM_EDITORS.


def team_form(client: Client, user, data=None, *, initial=None) -> TeamMemberForm | None:
    """The form to name a person, for the sides the user may change; None for a reader."""
    sides = team_sides_editable(user, client)
    if not sides:
        return None
    both = team_sign_ins(client)
    users = {side: both[side] for side in sides}
    return TeamMemberForm(data, sides=sides, users=users, initial=initial)


def team_context(client: Client, user) -> dict:
    """What the team section of the agreement page shows (tower/agreements/_team.html)."""
    members = team_of(client)
    sides = team_sides_editable(user, client)
    return {
        "team_matrix": counterpart_matrix(client, members),
        "team_count": len(members),
        "team_form": team_form(client, user),
        "team_sides": sides,
    }


def _team_back(client: Client) -> str:
    return reverse("scorecards:agreement", args=[client.code]) + "#team"


def _member_values(data: dict) -> dict:
    return {
        "side": data["side"],
        "function": data["function"],
        "name": data["name"],
        "title": data["title"],
        "email": data["email"],
        "phone": data["phone"],
        "deputy": data["deputy"],
        "linked_user": data["linked_user"],
        "reason": data["reason"],
    }


@login_required
@require_POST
def team_add(request, code: str):
    client = get_or_404(Client.objects.all(), request.user, client_field="", code=code)
    back = _team_back(client)
    form = team_form(client, request.user, request.POST)
    if form is None:
        raise PermissionDenied("Your role does not allow you to change the team of this client.")
    if not form.is_valid():
        return form_refused(request, back, form, "Nobody was added to the team.")

    def step():
        member = add_team_member(
            client=client, user=request.user, **_member_values(form.cleaned_data)
        )
        return (
            f"{member.name} added to the team: {member.get_function_display()}, "
            f"{member.get_side_display()} side."
        )

    return run_step(request, back, step)


@login_required
@require_http_methods(["GET", "POST"])
def team_member(request, code: str, member: int):
    """One person of the team: their details, and the form to change them for a user who may
    change their side (a reader sees the details only)."""
    person = get_or_404(
        TeamMember.objects.select_related("client", "user"),
        request.user,
        pk=member,
        client__code=code,
    )
    client = person.client
    editable = person.side in team_sides_editable(request.user, client)
    form = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Your role does not allow you to change this side's team.")
        form = team_form(client, request.user, request.POST)
        if form.is_valid():
            changed = form.run(
                lambda data: update_team_member(
                    member=person, user=request.user, **_member_values(data)
                )
            )
            if changed is not None:
                if changed:
                    messages.success(request, f"{person.name}: saved.")
                else:
                    messages.info(request, f"Nothing changed: {person.name} is as before.")
                return redirect(_team_back(client))
    elif editable:
        form = team_form(
            client,
            request.user,
            initial={
                "side": person.side,
                "function": person.function,
                "name": person.name,
                "title": person.title,
                "email": person.email,
                "phone": person.phone,
                "deputy": person.deputy,
                "linked_user": str(person.user_id or ""),
            },
        )
    history = (
        scope(TeamMember.history.filter(id=person.pk), request.user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:50]
    )
    return render(
        request,
        "agreements/team_member.html",
        {
            "client": client,
            "person": person,
            "form": form,
            "history": history,
            "nav_active": "scorecards:agreements",
        },
    )


@login_required
@require_POST
def team_remove(request, code: str, member: int):
    person = get_or_404(
        TeamMember.objects.select_related("client"), request.user, pk=member, client__code=code
    )
    back = _team_back(person.client)

    def step():
        name = person.name
        remove_team_member(
            member=person, user=request.user, reason=request.POST.get("reason", "")[:100]
        )
        return f"{name} removed from the team (the agreement's history keeps them)."

    return run_step(request, back, step)


@login_required
@require_GET
def who_to_call(request):
    """The counterpart matrix as a contact sheet: for each function, the CMO's person and the
    client's, with phone and e-mail. A client user sees their own client; the CMO picks one."""
    clients = list(visible_clients(request.user).order_by("code"))
    chosen = client_by_code(clients, request.GET.get("client", ""))
    if chosen is None and len(clients) == 1:
        chosen = clients[0]
    context = {
        "client_choices": clients,
        "client": chosen,
        "show_clients": sees_client_names(request.user),
        "nav_active": "agreements:who_to_call",
    }
    if chosen is not None:
        members = team_of(chosen)
        context |= {
            "matrix": counterpart_matrix(chosen, members),
            "mine": [m for m in members if m.user_id == request.user.pk],
            "cmo_side": is_cmo_side(request.user, chosen),
        }
    else:
        counts = dict(
            TeamMember.objects.filter(client__in=clients)
            .visible_to(request.user)
            .values("client_id")
            .annotate(n=Count("id"))
            .values_list("client_id", "n")
        )
        context["rows"] = [{"client": c, "people": counts.get(c.pk, 0)} for c in clients]
    return render(request, "agreements/who_to_call.html", context)
