"""Forms of the actions register: its filters, and the status, owner and due date of an action."""

from __future__ import annotations

import datetime as dt

from django import forms

from tower.actions.models import Source, Status
from tower.actions.services import FIRST_DATE, LAST_DATE, OWNER_LIMIT, TITLE_LIMIT, NewAction
from tower.web.forms import DATE_ERRORS, DateInput, Form, StepForm

# Sortable columns: the name in the query string -> the ordering (ties broken by due date, id).
SORTS = {
    "due": ("due_date",),
    "client": ("client__code",),
    "source": ("source",),
    "owner": ("owner",),
    "status": ("status",),
    "title": ("title",),
    "agreed": ("created_at",),
}
DEFAULT_SORT = "due"
PER_PAGE_CHOICES = (25, 50, 100, 200)


def bounded(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise forms.ValidationError("Choose a date between the years 1900 and 2999.")
    return value


class RegisterFilterForm(Form):
    client = forms.CharField(required=False, max_length=40)
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *Source.choices])
    owner = forms.CharField(
        required=False, max_length=OWNER_LIMIT, help_text="Part of the owner's name or function"
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Status.choices], initial=""
    )
    overdue = forms.BooleanField(
        required=False,
        label="Overdue only",
        help_text="Open and due before today",
    )
    due_from = forms.DateField(
        required=False, widget=DateInput(), label="Due from", error_messages=DATE_ERRORS
    )
    due_to = forms.DateField(
        required=False, widget=DateInput(), label="Due to", error_messages=DATE_ERRORS
    )
    sort = forms.CharField(required=False, max_length=12)

    def clean_due_from(self):
        return bounded(self.cleaned_data.get("due_from"))

    def clean_due_to(self):
        return bounded(self.cleaned_data.get("due_to"))

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or DEFAULT_SORT
        if sort.removeprefix("-") not in SORTS:
            raise forms.ValidationError(
                f"The register can be sorted by {', '.join(SORTS)} (prefix - for descending)."
            )
        return sort

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            self.add_error("due_to", "The end of the due range is before its start.")
        return data


class StatusForm(StepForm):
    status = forms.ChoiceField(choices=Status.choices)


class RescheduleForm(StepForm):
    owner = forms.CharField(max_length=OWNER_LIMIT, label="Owner")
    due_date = forms.DateField(
        required=False, widget=DateInput(), label="Due", error_messages=DATE_ERRORS
    )

    def clean_due_date(self):
        return bounded(self.cleaned_data.get("due_date"))


class NewActionForm(StepForm):
    """One action agreed elsewhere (a meeting, a delay notice): what, who, by when."""

    title = forms.CharField(max_length=TITLE_LIMIT, label="What is to be done")
    owner = forms.CharField(max_length=OWNER_LIMIT, label="Who does it")
    due_date = forms.DateField(
        required=False, widget=DateInput(), label="Due", error_messages=DATE_ERRORS
    )

    def clean_due_date(self):
        return bounded(self.cleaned_data.get("due_date"))


def new_action_forms(data=None, *, prefix: str = "action", rows: int = 3) -> list[NewActionForm]:
    """Rows of actions agreed on another page's form (prefixed action-0, action-1, ...); a row
    left empty is valid and left out (new_actions)."""
    return [
        NewActionForm(
            data, prefix=f"{prefix}-{n}", empty_permitted=True, use_required_attribute=False
        )
        for n in range(rows)
    ]


def new_actions(forms_: list[NewActionForm]):
    """The filled rows of valid new_action_forms, as tower.actions.services.NewAction."""
    return [
        NewAction(f.cleaned_data["title"], f.cleaned_data["owner"], f.cleaned_data["due_date"])
        for f in forms_
        if f.has_changed()
    ]
