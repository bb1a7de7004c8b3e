"""The quarterly satisfaction survey (kpis.md 4): the client's people answer it, the CMO reads it.

A client user answers for the last complete quarter (the default) or the current one and can
change their answers while that quarter is open; older quarters show what they answered. The
CMO's people see the answers of their clients for a quarter, with the means the scorecard uses.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tower.engine.periods import Period, last_complete_quarter, parse_period, quarter_of
from tower.scorecards.forms import ClientPeriodForm, SurveyForm, recent_quarters
from tower.scorecards.models import SurveyResponse
from tower.scorecards.services import submit_survey
from tower.tenancy.models import CLIENT_ROLES, Client
from tower.tenancy.scoping import is_cmo_side, role_for, scope, sees_client_names, visible_clients

QUARTERS_SHOWN = 8  # in the CMO's quarter drop-down
EARLIER_SHOWN = 12  # a client user's earlier answers listed under the form


@login_required
@require_http_methods(["GET", "POST"])
def survey(request):
    clients = list(visible_clients(request.user).order_by("code"))
    query = ClientPeriodForm(request.GET, clients=clients)
    if not query.is_valid():
        return render(request, "400.html", {"form_errors": query.errors}, status=400)
    today = timezone.localdate()
    current = quarter_of(today)
    period = query.cleaned_data["period"] or last_complete_quarter(today)
    if period.start > today:
        errors = {
            "period": [f"{period.label} has not started yet: choose {current.label} or earlier."]
        }
        return render(request, "400.html", {"form_errors": errors}, status=400)

    client = query.cleaned_data["client"]
    answering = [c for c in clients if role_for(request.user, c) in CLIENT_ROLES]
    if client is None and answering:
        client = answering[0]
    if client is not None and client in answering:
        return _answer(request, client, period, current, answering)
    if request.method == "POST":
        raise PermissionDenied("Only the client's own people answer its satisfaction survey.")
    reading = [client] if client else [c for c in clients if is_cmo_side(request.user, c)]
    return _responses(request, reading, period, clients)


def survey_url(client: Client, period: Period) -> str:
    return (
        f"{reverse('scorecards:survey')}?{urlencode({'client': client.code, 'period': period.key})}"
    )


def _answer(request, client: Client, period: Period, current: Period, answering: list[Client]):
    """The survey form of one client user (their own answers only)."""
    open_quarters = [current.shifted(-1), current]
    is_open = period in open_quarters
    mine = SurveyResponse.objects.filter(client=client, user=request.user).visible_to(request.user)
    earlier = list(mine.order_by("-period")[:EARLIER_SHOWN])
    existing = next((r for r in earlier if r.period == period.key), None)
    if existing is None and len(earlier) == EARLIER_SHOWN:  # an old quarter, asked by hand
        existing = mine.filter(period=period.key).first()

    if request.method == "POST":
        if not is_open:
            messages.error(
                request,
                f"The survey for {period.label} is closed: answer for "
                f"{open_quarters[0].label} or {open_quarters[1].label}.",
            )
            return redirect(survey_url(client, period))
        form = SurveyForm(request.POST)
        if form.is_valid():
            saved = form.run(
                lambda data: submit_survey(
                    client=client,
                    period=period,
                    ratings=form.ratings(),
                    comment=data["comment"],
                    user=request.user,
                )
            )
            if saved is not None:
                messages.success(
                    request,
                    f"Thank you: your answers for {period.label} are saved. You can change them "
                    f"here until {_day(period.shifted(1).end)}.",
                )
                return redirect(survey_url(client, period))
    else:
        initial = None
        if existing is not None:
            initial = {q: getattr(existing, q) for q in SurveyResponse.QUESTIONS}
            initial["comment"] = existing.comment
        form = SurveyForm(initial=initial)

    quarters = list(reversed(open_quarters))
    if period not in quarters:
        quarters.append(period)
    context = {
        "client": client,
        "client_choices": answering,
        "period": period,
        "quarters": quarters,
        "is_open": is_open,
        "closes_on": period.shifted(1).end,
        "form": form if is_open else None,
        "existing": existing,
        "existing_answers": [
            (question, getattr(existing, code))
            for code, question in SurveyResponse.QUESTIONS.items()
        ]
        if existing
        else [],
        "earlier": [
            {"response": r, "period": _quarter(r.period), "mean": fmean(r.ratings())}
            for r in earlier
        ],
        "questions": SurveyResponse.QUESTIONS,
        "nav_active": "scorecards:survey",
    }
    return render(request, "scorecards/survey.html", context)


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _quarter(key: str) -> Period | None:
    try:
        return parse_period(key)
    except ValueError:
        return None


def _responses(request, reading: list[Client], period: Period, clients: list[Client]):
    """The answers of the clients the user works for (CMO side), read-only, with the means."""
    rows = list(
        scope(
            SurveyResponse.objects.filter(client__in=[c.pk for c in reading], period=period.key),
            request.user,
        )
        .select_related("user")
        .order_by("client_id", "-submitted_at", "pk")
    )
    by_client = defaultdict(list)
    for row in rows:
        by_client[row.client_id].append(row)
    summaries = []
    for client in reading:
        answers = by_client.get(client.pk, [])
        means = {
            q: fmean(getattr(r, q) for r in answers) if answers else None
            for q in SurveyResponse.QUESTIONS
        }
        summaries.append(
            {
                "client": client,
                "responses": answers,
                "means": [(SurveyResponse.QUESTIONS[q], value) for q, value in means.items()],
                "mean": fmean(x for r in answers for x in r.ratings()) if answers else None,
            }
        )
    today = timezone.localdate()
    context = {
        "period": period,
        "quarters": recent_quarters(today, QUARTERS_SHOWN, period),
        "client_choices": [c for c in clients if is_cmo_side(request.user, c)],
        "selected_client": reading[0].code if len(reading) == 1 else "",
        "summaries": summaries,
        "questions": SurveyResponse.QUESTIONS,
        "show_clients": sees_client_names(request.user),
        "nav_active": "scorecards:survey",
    }
    return render(request, "scorecards/survey_responses.html", context)
