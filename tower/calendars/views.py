"""Site calendars (kpis.md 9): every site's working days, hours, time zone and holidays, which
escalation clocks count by. Everyone signed in reads them (a site belongs to the CMO, not to a
client, and its hours are no client's data); the CMO's staff change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tower.calendars.forms import CalendarForm
from tower.calendars.models import SiteCalendar
from tower.calendars.services import (
    calendar_of,
    calendars_by_site,
    can_edit_calendars,
    set_calendar,
)
from tower.engine.business_hours import format_days, format_minute
from tower.masterdata.models import Site
from tower.web.pages import attempt_step

HISTORY_SHOWN = 50


@login_required
@require_GET
def calendar_list(request):
    sites = list(Site.objects.order_by("code"))
    stored = set(SiteCalendar.objects.values_list("site_id", flat=True))
    calendars = calendars_by_site([s.pk for s in sites])
    rows = [
        {
            "site": s,
            "calendar": calendars[s.pk],
            "days": format_days(calendars[s.pk].weekdays),
            "hours": _hours(calendars[s.pk]),
            "is_default": s.pk not in stored,
        }
        for s in sites
    ]
    return render(
        request,
        "calendars/calendar_list.html",
        {"rows": rows, "can_edit": can_edit_calendars(request.user)},
    )


def _hours(cal) -> str:
    return f"{format_minute(cal.start_minute)}-{format_minute(cal.end_minute)}"


def _initial(site: Site) -> dict:
    cal = calendar_of(site)
    return {
        "days": format_days(cal.weekdays),
        "hours": _hours(cal),
        "time_zone": cal.time_zone,
        "holidays": "\n".join(d.isoformat() for d in sorted(cal.holidays)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calendar_detail(request, code: str):
    site = get_object_or_404(Site, code=code)
    can_edit = can_edit_calendars(request.user)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the CMO's staff change site calendars.")
        form = CalendarForm(request.POST)
        calendar = form.calendar() if form.is_valid() else None
        if calendar is not None:
            message, error = attempt_step(
                lambda: (
                    set_calendar(
                        site=site,
                        calendar=calendar,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    and f"Calendar of {site.code} saved: {calendar.describe()}."
                )
            )
            if not error:
                messages.success(request, message)
                return redirect("calendars:site", code=site.code)
            form.add_error(None, error)
    elif can_edit:
        form = CalendarForm(initial=_initial(site))
    calendar = calendar_of(site)
    history = (
        SiteCalendar.history.filter(site_id=site.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_SHOWN]
    )
    context = {
        "site": site,
        "calendar": calendar,
        "days": format_days(calendar.weekdays),
        "hours": _hours(calendar),
        "holidays": sorted(calendar.holidays),
        "is_default": not SiteCalendar.objects.filter(site=site).exists(),
        "form": form,
        "can_edit": can_edit,
        "history": [
            {
                "when": h.history_date,
                "who": h.history_user.username if h.history_user else "system",
                "what": h.instance.as_calendar().describe(),
                "reason": h.history_change_reason or "",
            }
            for h in history
        ],
        "nav_active": "calendars:list",
    }
    return render(request, "calendars/calendar_detail.html", context)
