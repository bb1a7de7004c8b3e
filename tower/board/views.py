"""The daily accountability board (/board/), its big-screen mode, and the dashboard's worklist
fragment (/board/worklist/). Reads only; every read starts from tenancy.scoping."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tower.board.forms import BoardForm
from tower.board.queries import board as build_board
from tower.board.worklist import AGEING_DAYS, worklists
from tower.performance.forms import ScopeForm, visible_sites
from tower.performance.queries import stored_as_of
from tower.tenancy.scoping import sees_client_names

NAV_BOARD = "board:board"


def board_query(scope, **extra) -> str:
    params = {
        "client": scope.clients[0].code if len(scope.clients) == 1 else "",
        "site": scope.site or "",
        "date": f"{scope.day:%Y-%m-%d}",
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def day_lines_url(scope, day, outcome: str) -> str:
    """The lines list of one due day (the board's "and N more")."""
    params = {
        "client": scope.clients[0].code if len(scope.clients) == 1 else "",
        "site": scope.site or "",
        "due": f"{day:%Y-%m-%d}",
        "outcome": outcome,
        "sort": "order",
    }
    return f"{reverse('performance:lines')}?" + urlencode({k: v for k, v in params.items() if v})


@login_required
@require_GET
def board(request):
    form = BoardForm(request.GET, principal=request.user)
    valid = form.is_valid()
    scope = form.scope()
    screen = valid and form.cleaned_data.get("screen")
    context = {
        "form": form,
        "scope": scope,
        "screen": screen,
        "refresh": form.refresh_seconds,
        "show_clients": sees_client_names(request.user),
        "client_choices": form.clients,
        "site_choices": list(visible_sites(form.clients, request.user).values_list("code", "name")),
        "selected": {k: str(form.data.get(k, "")) for k in ("client", "site", "date")},
        "nav_active": NAV_BOARD,
        "now": timezone.now(),
        # The board's times: the site's zone for one site's board (each escalation's clock is
        # in its own site's zone, named on its row).
        "zone": scope.time_zone,
    }
    if scope.clients:
        data = build_board(scope, request.user)
        context |= {
            "board": data,
            "outcomes_as_of": stored_as_of(scope.clients),
            "links": {
                "missed": day_lines_url(scope, scope.yesterday, "failed"),
                "pending": day_lines_url(scope, scope.yesterday, "pending"),
                "outlook": f"{reverse('outlook:outlook')}?"
                + urlencode(
                    {
                        k: v
                        for k, v in {
                            "client": scope.clients[0].code if len(scope.clients) == 1 else "",
                            "site": scope.site or "",
                        }.items()
                        if v
                    }
                ),
                "escalations": f"{reverse('escalations:list')}?"
                + urlencode(
                    {
                        k: v
                        for k, v in {
                            "client": scope.clients[0].code if len(scope.clients) == 1 else "",
                            "site": scope.site or "",
                        }.items()
                        if v
                    }
                ),
                "actions": reverse("actions:register")
                + (f"?client={scope.clients[0].code}" if len(scope.clients) == 1 else ""),
                "screen": f"{reverse('board:board')}?{board_query(scope, screen='1')}",
                "normal": f"{reverse('board:board')}?{board_query(scope)}",
                "previous": f"{reverse('board:board')}?"
                + board_query(scope, date=f"{scope.yesterday:%Y-%m-%d}"),
            },
        }
    status = 200 if valid else 400
    if request.htmx and screen:
        return render(request, "board/_board_body.html", context, status=status)
    template = "board/screen.html" if screen else "board/board.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def worklist(request):
    """Each side's worklist over the dashboard's scope (the same query string as the dashboard):
    the dashboard loads it after the page (hx-trigger="load"); alone, it is a page."""
    form = ScopeForm(request.GET, principal=request.user)
    form.is_valid()  # a filter in error falls back to its default, as on the dashboard
    scope = form.scope()
    context = {
        "lists": worklists(scope, request.user, timezone.localdate()) if scope.clients else [],
        "show_clients": sees_client_names(request.user),
        "ageing_days": AGEING_DAYS,
        "nav_active": "performance:dashboard",
    }
    if request.htmx:
        return render(request, "board/_worklist.html", context)
    return render(request, "board/worklist.html", context)
