"""Writes for the scorecard: stock-outs, surveys, commentary and actions, and the agreement
terms that stock-out attribution depends on (tower.agreements.services writes them).

Keyword-only functions taking the acting user; the web pages, the CLI and the demo call them.
A role that may not take a step gets NotAllowed (the page answers 403), a step that cannot be
taken gets WorkflowError with the reason in the user's words. Every change is audited
(django-simple-history: who, when, before and after).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tower.actions import services as actions
from tower.actions.models import Action, Source
from tower.agreements import services as agreements
from tower.agreements.models import Agreement, EarlyWarningSettings
from tower.engine.kpi_catalogue import KPI_BY_CODE
from tower.engine.periods import Period
from tower.escalations.tasks import after_data_change
from tower.masterdata.models import Product
from tower.outlook.services import refresh_projection
from tower.performance.attribution import attribute_stock_outs
from tower.scorecards.models import KpiComment, SurveyResponse
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import CLIENT_ROLES, Client
from tower.tenancy.scoping import CMO_ADMIN, CMO_ROLES, require_role
from tower.workflow import NotAllowed, WorkflowError, audit_as

__all__ = ["NotAllowed", "WorkflowError"]

ADMIN_ONLY = frozenset({CMO_ADMIN})
STOCK_OUT_REPORTERS = frozenset(CLIENT_ROLES | CMO_ROLES)


# --- customer stock-outs (kpis.md 5) -------------------------------------------------------------


@transaction.atomic
def report_stock_out(
    *,
    client: Client,
    product: Product,
    location: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    note: str = "",
    user,
) -> StockOutEvent:
    """Record a stock-out the client reports, and link it to the lines that caused it, if any."""
    require_role(user, client, STOCK_OUT_REPORTERS, "report stock-outs")
    if product.client_id != client.pk:
        raise WorkflowError("That product is not one of this client's products.")
    location = location.strip()
    if not location:
        raise WorkflowError("Name the market or warehouse that ran out of stock.")
    _check_dates(start_date, end_date)
    if StockOutEvent.objects.filter(
        client=client, product=product, location=location, start_date=start_date
    ).exists():
        raise WorkflowError(
            f"A stock-out of {product.code} in {location} starting {start_date:%d %b %Y} "
            "is already recorded."
        )
    event = StockOutEvent(
        client=client,
        product=product,
        location=location,
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
        source=StockOutEvent.Source.REPORTED,
        reported_by=user if getattr(user, "pk", None) else None,
    )
    audit_as(event, user, "reported")
    event.save()
    attribute_stock_outs(client=client, events=[event.pk])
    event.refresh_from_db()
    after_data_change(client.pk)  # a reported stock-out can open an escalation at once
    return event


@transaction.atomic
def end_stock_out(*, event: StockOutEvent, end_date: dt.date, user) -> StockOutEvent:
    """Record the day the product was back in stock."""
    require_role(user, event.client, STOCK_OUT_REPORTERS, "update stock-outs")
    _check_dates(event.start_date, end_date)
    event.end_date = end_date
    audit_as(event, user, "ended")
    event.save(update_fields=["end_date"])
    return event


def _check_dates(start: dt.date, end: dt.date | None) -> None:
    today = timezone.localdate()
    if start > today:
        raise WorkflowError("A stock-out cannot start in the future.")
    if end is not None and end < start:
        raise WorkflowError("The stock-out cannot end before it started.")
    if end is not None and end > today:
        raise WorkflowError("The end date is in the future: leave it empty while it lasts.")


# --- the quarterly survey --------------------------------------------------------------------


@transaction.atomic
def submit_survey(
    *, client: Client, period: Period, ratings: dict[str, int], comment: str = "", user
) -> SurveyResponse:
    """A client user's survey for a quarter; submitting again replaces their earlier answers."""
    require_role(user, client, CLIENT_ROLES, "answer the satisfaction survey")
    if period.kind != "quarter":
        raise WorkflowError("The satisfaction survey is quarterly: choose a quarter.")
    if period.start > timezone.localdate():
        raise WorkflowError(f"{period.label} has not started yet.")
    missing = [q for q in SurveyResponse.QUESTIONS if q not in ratings]
    if missing:
        names = ", ".join(SurveyResponse.QUESTIONS[q] for q in missing)
        raise WorkflowError(f"Rate every question (missing: {names}).")
    for question, rating in ratings.items():
        if question not in SurveyResponse.QUESTIONS:
            raise WorkflowError(f"Unknown survey question: {question}.")
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise WorkflowError(f"{SurveyResponse.QUESTIONS[question]}: give a rating from 1 to 5.")
    response = SurveyResponse.objects.filter(client=client, period=period.key, user=user).first()
    response = response or SurveyResponse(client=client, period=period.key, user=user)
    for question, rating in ratings.items():
        setattr(response, question, rating)
    response.comment = comment.strip()
    audit_as(response, user)
    response.save()
    return response


# --- agreement terms: the write is tower.agreements.services; what depends on it is refreshed here


@transaction.atomic
def set_agreement(
    *, client: Client, oos_lookback_days: int, currency: str, user, reason: str = ""
) -> Agreement:
    """Set the agreement's terms, then attribute the client's stock-outs again when the look-back
    changed (one explicit call: the agreements app sits below the stock-outs it affects)."""
    before = agreements.agreement_of(client).oos_lookback_days
    agreement = agreements.set_agreement(
        client=client,
        oos_lookback_days=oos_lookback_days,
        currency=currency,
        user=user,
        reason=reason,
    )
    if agreement.oos_lookback_days != before:
        attribute_stock_outs(client=client)
    return agreement


def set_early_warning(
    *, client: Client, values: dict[str, int], user, reason: str = ""
) -> EarlyWarningSettings:
    """Set the client's early-warning settings (tower.agreements.services.set_early_warning:
    CMO admins, bounded, audited), then project the client's open lines again with them
    (tower.outlook: the agreements app sits below the outlook, so the refresh is called here)."""
    settings = agreements.set_early_warning(client=client, values=values, user=user, reason=reason)
    refresh_projection(client=client)
    return settings


# --- commentary and agreed actions (the CMO's side of the review) -----------------------------


@transaction.atomic
def set_kpi_comment(
    *, client: Client, period: Period, kpi: str, text: str, user
) -> KpiComment | None:
    """The CMO's commentary on a KPI for a period; an empty text removes it."""
    require_role(user, client, CMO_ROLES, "comment on the scorecard")
    if kpi not in KPI_BY_CODE:
        raise WorkflowError(f"Unknown KPI {kpi!r}.")
    text = text.strip()
    comment = KpiComment.objects.filter(client=client, period=period.key, kpi=kpi).first()
    if not text:
        if comment is not None:
            audit_as(comment, user, "removed")
            comment.delete()
        return None
    comment = comment or KpiComment(client=client, period=period.key, kpi=kpi)
    if comment.pk and comment.text == text:
        return comment
    comment.text = text
    comment.author = user if getattr(user, "pk", None) else None
    audit_as(comment, user)
    comment.save()
    return comment


def review_label(period: Period) -> str:
    """How the register names a review's actions: "2026 Q3 review"."""
    return f"{period.label} review"


@transaction.atomic
def add_action(
    *,
    client: Client,
    period: Period,
    title: str,
    owner: str,
    due_date: dt.date | None = None,
    kpi: str = "",
    user,
) -> Action:
    """An action agreed in the review of `period`, added to the actions register (tower.actions:
    the one place every agreed action lives; its status is changed there, set_status)."""
    require_role(user, client, CMO_ROLES, "record agreed actions")
    if not title.strip() or not owner.strip():
        raise WorkflowError("An agreed action needs what is to be done and who does it.")
    if kpi and kpi not in KPI_BY_CODE:
        raise WorkflowError(f"Unknown KPI {kpi!r}.")
    return actions.add_action(
        client=client,
        source=Source.REVIEW,
        source_label=review_label(period),
        period=period.key,
        title=title,
        owner=owner,
        due_date=due_date,
        kpi=kpi,
        user=user,
    )
