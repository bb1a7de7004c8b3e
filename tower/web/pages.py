"""What the pages of every app share: scope query strings, the filter bar's period presets and
options, partial rendering for htmx, and run_step for workflow steps.

This package imports no app (design.md, Layers): a scope is anything with the attributes of
tower.performance.dashboard.FigureScope, and workflow errors come from tower.workflow.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from tower.engine.periods import add_months
from tower.web.forms import form_error_text
from tower.workflow import BUSY_MESSAGE, NotAllowed, WorkflowError, is_database_busy


class Scope(Protocol):
    """The clients, site, product and months a figure page shows."""

    clients: Sequence
    site: str | None
    product: str | None
    start: dt.date
    end: dt.date


def scope_query(figure_scope: Scope, **extra) -> str:
    """The query string that reproduces a scope (plus extra filters) on another page."""
    params = {
        "client": figure_scope.clients[0].code if len(figure_scope.clients) == 1 else "",
        "site": figure_scope.site or "",
        "product": figure_scope.product or "",
        "from": f"{figure_scope.start:%Y-%m}",
        "to": f"{figure_scope.end:%Y-%m}",
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def lines_url(figure_scope: Scope, **extra) -> str:
    return f"{reverse('performance:lines')}?{scope_query(figure_scope, **extra)}"


def period_presets(selected: dict, last: dt.date) -> list[tuple[str, str]]:
    """Links to the usual review periods, ending with the last month that has figures."""
    keep = {k: selected[k] for k in ("client", "site", "product") if selected[k]}
    periods = [
        ("Last month", last, last),
        ("Last 3 months", add_months(last, -2), last),
        ("Year to date", last.replace(month=1), last),
        ("Last 12 months", add_months(last, -11), last),
    ]
    return [
        (label, "?" + urlencode({**keep, "from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"}))
        for label, start, end in periods
    ]


def options_html(choices: list[tuple[str, str]], current: str) -> str:
    """<option> elements for (code, name) pairs, built here rather than in the template: a
    client can have hundreds of products, and the template engine is slow per option."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (code, mark_safe(" selected") if code == current else "", option_label(code, name))
            for code, name in choices
        ),
    )


def option_label(code: str, name: str) -> str:
    return f"{code} · {name}" if name and name != code else code


def sort_links(request, current: str, columns) -> dict[str, dict]:
    """Per sortable column of a list: the URL that sorts by it (toggling the direction, back to
    the first page) and its state ("asc", "desc" or "")."""
    links = {}
    for name in columns:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{name}" if current == name else name
        state = "asc" if current == name else "desc" if current == f"-{name}" else ""
        links[name] = {"url": f"?{params.urlencode()}", "state": state}
    return links


def render_figures_page(request, template: str, partial: str, context: dict, status: int = 200):
    """Full page, or only the part below the filters when htmx asks for it."""
    name = partial if request.htmx and not request.htmx.boosted else template
    return render(request, name, context, status=status)


def attempt_step(step) -> tuple[str, str]:
    """Run one workflow step (a function returning its success message) in one transaction:
    (message, "") when it was taken, ("", error) when the workflow refused it or SQLite was
    busy (nothing written). A role that may not take it at all gets 403 (the object is
    visible to the user, so saying so confirms nothing). run_step and the htmx forms that
    answer with a fragment share it."""
    try:
        with transaction.atomic():
            return step(), ""
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        return "", str(exc)
    except OperationalError as exc:
        # SQLite: another writer held the database past the busy timeout; nothing was written.
        if not is_database_busy(exc):
            raise
        return "", BUSY_MESSAGE


def form_refused(request, back: str, form, what: str, *, labelled: bool = True) -> HttpResponse:
    """Go back with `what` ("The penalty term was not added.") and the invalid form's errors
    (form_error_text), each after its field's label unless not `labelled`."""
    messages.error(request, f"{what} {form_error_text(form, labelled=labelled)}")
    return redirect(back)


def run_step(request, back: str, step) -> HttpResponse:
    """Run one workflow step (attempt_step) and go back with its message or error."""
    message, error = attempt_step(step)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(back)
