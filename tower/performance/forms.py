"""Forms: the filters every figure page shares (kept in the URL) and the workflow's inputs."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Max, QuerySet
from django.utils import timezone

from tower.engine.otif import DELAY_CLASSES, FAILURE_KINDS
from tower.engine.periods import OutOfRange, add_months, parse_month
from tower.masterdata.models import FunctionalArea, RootCauseCode, Site
from tower.performance.dashboard import FigureScope
from tower.performance.models import (
    MonthlyOtif,
    RootCauseStatus,
)
from tower.tenancy.scoping import client_by_code, visible_clients

DEFAULT_MONTHS = 12


def default_period(
    latest: dt.date | None = None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """Twelve months ending with the last complete month, or earlier with the latest month that
    has measured lines (`latest`), so that an old data set opens on its figures, not on gaps."""
    today = today or timezone.localdate()
    end = add_months(today.replace(day=1), -1)
    if latest is not None and latest < end:
        end = latest
    return add_months(end, -(DEFAULT_MONTHS - 1)), end


# Months a filter may name: far enough apart for any real data, and far enough from the ends of
# the calendar that the pages' month arithmetic (the trend's year before, the month after) works.
FIRST_MONTH, LAST_MONTH = dt.date(1900, 1, 1), dt.date(2999, 12, 1)


class MonthField(forms.CharField):
    """A YYYY-MM month, cleaned to the month's first day."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            month = parse_month(value)
        except OutOfRange:
            month = None
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if month is None or not FIRST_MONTH <= month <= LAST_MONTH:
            raise forms.ValidationError(
                f"{value!r} is out of range: choose a month from {FIRST_MONTH:%Y-%m} "
                f"to {LAST_MONTH:%Y-%m}."
            )
        return month


def visible_sites(clients, principal) -> QuerySet[Site]:
    """The sites that made something for these clients (they have figures there)."""
    return Site.objects.filter(
        pk__in=MonthlyOtif.objects.filter(client__in=[c.pk for c in clients])
        .visible_to(principal)
        .values("site_id")
    )


class ScopeForm(forms.Form):
    """Client, site, product and months, read from the query string.

    A client the user may not see is a 404, exactly like one that does not exist. A product code
    only ever matches the visible clients' products, so another client's reads as unknown.
    """

    client = forms.CharField(required=False)
    site = forms.CharField(required=False)
    product = forms.CharField(required=False)

    def __init__(self, data, *, principal, **kwargs):
        super().__init__(data, **kwargs)
        self.principal = principal
        # "from" is a Python keyword, hence the fields are added by name.
        self.fields["from"] = MonthField(required=False, label="From")
        self.fields["to"] = MonthField(required=False, label="To")
        self.clients = list(visible_clients(principal).order_by("code"))

    def clean_client(self):
        client = client_by_code(self.clients, self.cleaned_data["client"])
        return client.code if client else ""

    def clean_site(self):
        """Only a site that made something for the user's clients is known to the user (the sites
        of the filter bar): another client's site answers exactly like one that does not exist,
        so the answer does not tell that it exists."""
        code = self.cleaned_data["site"].strip()
        if code and not visible_sites(self.clients, self.principal).filter(code=code).exists():
            raise forms.ValidationError(f"There is no site {code!r}.")
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        default_start, default_end = self.default_period()
        if start and not end:
            end = max(start, default_end)
        if end and not start:
            start = add_months(end, -(DEFAULT_MONTHS - 1))
        start, end = start or default_start, end or default_end
        if start > end:
            self.add_error("to", "The last month must not be before the first.")
        data["from"], data["to"] = start, end
        return data

    def default_period(self) -> tuple[dt.date, dt.date]:
        if not hasattr(self, "_default_period"):
            latest = MonthlyOtif.objects.filter(
                client__in=[c.pk for c in self.clients], lines__gt=0
            ).aggregate(latest=Max("period"))["latest"]
            self._default_period = default_period(latest)
        return self._default_period

    def scope(self) -> FigureScope:
        """The validated scope (call after is_valid(); falls back to defaults on errors)."""
        data = getattr(self, "cleaned_data", {})
        code = data.get("client") or ""
        clients = tuple(c for c in self.clients if not code or c.code == code)
        start, end = data.get("from"), data.get("to")
        if not start or not end or start > end:
            start, end = self.default_period()
        return FigureScope(
            clients=clients,
            start=start,
            end=end,
            site=data.get("site") or None,
            product=(data.get("product") or "").strip() or None,
        )


OUTCOME_CHOICES = [
    ("", "All lines"),
    ("measured", "Measured"),
    ("otif", "OTIF met"),
    ("failed", "Failed (gross)"),
    ("net_failed", "Failed, CMO-attributable (net)"),
    ("late", "Not on time"),
    ("not_in_full", "Not in full"),
    ("pending", "Pending (not yet measurable)"),
    ("excluded", "Excluded"),
]
STATUS_CHOICES = [("", "Any"), ("unclassified", "Unclassified")] + [
    (s.value, s.value.capitalize()) for s in RootCauseStatus
]
# Failed lines without an approved root cause (unclassified, proposed or disputed): what is
# still open in the root-cause workflow, the dashboard's "ageing failures".
STATUS_CHOICES.append(("unresolved", "Not approved yet"))
SORTS = {
    "due_date": "due_date",
    "days_late": "days_late",
    "order": "line__order__number",
    "product": "line__product__code",
    "site": "line__site__code",
    "ordered": "line__ordered_qty",
    "delivered": "delivered_qty",
    "root_cause": "line__root_cause__code",
    "status": "line__root_cause__status",
}
DEFAULT_SORT = "-due_date"


class LineFilterForm(ScopeForm):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, required=False)
    kind = forms.ChoiceField(
        choices=[("", "Any")] + [(k, k.replace("_", " ")) for k in FAILURE_KINDS],
        required=False,
        label="Failure kind",
    )
    delay = forms.ChoiceField(
        choices=[("", "Any")] + [(d, f"{d} days") for d in DELAY_CLASSES],
        required=False,
        label="Days late",
    )
    area = forms.ChoiceField(required=False, label="Functional area")
    code = forms.ChoiceField(required=False, label="Root cause")
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Root-cause status")
    q = forms.CharField(required=False, label="Order number", max_length=100)
    due = forms.DateField(
        required=False, label="Due on", help_text="Only the lines due on this day (YYYY-MM-DD)"
    )
    sort = forms.CharField(required=False)

    def __init__(self, data, *, principal, areas, codes, **kwargs):
        super().__init__(data, principal=principal, **kwargs)
        self.fields["area"].choices = [("", "Any")] + [(a.code, a.name) for a in areas]
        self.fields["code"].choices = [("", "Any")] + [(c.code, str(c)) for c in codes]

    def clean(self):
        # A day without months: the day's month (the board links to a day's lines this way).
        due = self.cleaned_data.get("due")
        if due and not self.cleaned_data.get("from") and not self.cleaned_data.get("to"):
            self.cleaned_data["from"] = self.cleaned_data["to"] = due.replace(day=1)
        return super().clean()

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or DEFAULT_SORT
        if sort.removeprefix("-") not in SORTS:
            raise forms.ValidationError(
                f"Lines can be sorted by {', '.join(SORTS)} (prefix - for descending)."
            )
        return sort


class ProposeRootCauseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "propose_%s")  # the line filters have a `code` field too
        super().__init__(*args, **kwargs)

    code = forms.ModelChoiceField(
        queryset=RootCauseCode.objects.filter(active=True).select_related("area"),
        label="Root cause",
        help_text="The functional area follows from the code.",
        to_field_name="code",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shared with the client: what happened and what is being done.",
    )
    internal_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Internal note",
        help_text="CMO only: never shown to the client.",
    )


class ReviewRootCauseForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("dispute", "Dispute")])
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when you dispute: tell the CMO why.",
    )


class ReopenRootCauseForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the approved cause is corrected; the CMO and the client both see it.",
    )


class ExclusionForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        help_text="Leave empty to measure the line again. The reason is kept and shown.",
    )


class CloseMonthForm(forms.Form):
    client = forms.CharField()
    month = MonthField()
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Kept with the close. Required when failures are unresolved: say why the "
        "month closes with them.",
    )
    out_of_order = forms.BooleanField(
        required=False, label="Close it although an earlier month is still open"
    )


class ReopenMonthForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the month's history."
    )


def functional_areas() -> list[FunctionalArea]:
    return list(FunctionalArea.objects.order_by("name"))
