"""A client's agreement as the control tower applies it: OTIF definition versions and targets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tower.agreements.models import KpiTarget, OtifDefinitionVersion
from tower.agreements.queries import otif_targets
from tower.engine import OtifDefinition
from tower.tenancy.models import Client
from tower.tenancy.scoping import get_or_404, scope, sees_client_names, visible_clients


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
