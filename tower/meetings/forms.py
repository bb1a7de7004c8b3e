"""Forms of the meetings pages: a series, its rule, and the record of a meeting held."""

from __future__ import annotations

from django import forms

from tower.actions.forms import NewActionForm, bounded, new_action_forms
from tower.meetings.models import MAX_EVERY, Kind, Unit
from tower.web.forms import DATE_ERRORS, DateInput, Form, StepForm

ACTION_ROWS = 3  # action rows on the record form; more are added on the meeting's page


class SeriesForm(StepForm):
    kind = forms.ChoiceField(choices=Kind.choices, label="Kind of meeting")
    title = forms.CharField(
        max_length=150,
        required=False,
        label="Title",
        help_text="As the invitation names it; the kind's name when left empty.",
    )
    every = forms.IntegerField(
        min_value=1,
        max_value=MAX_EVERY,
        required=False,
        label="Every",
        help_text="Weekly call: 1 week; monthly review: 1 month; QBR: 3 months (the defaults).",
    )
    unit = forms.ChoiceField(choices=[("", "—"), *Unit.choices], required=False, label="Unit")
    first_date = forms.DateField(
        widget=DateInput(),
        label="First meeting",
        help_text="The rule counts from this date.",
        error_messages=DATE_ERRORS,
    )

    def clean_first_date(self):
        return bounded(self.cleaned_data.get("first_date"))


class SeriesEditForm(StepForm):
    title = forms.CharField(max_length=150)
    every = forms.IntegerField(min_value=1, max_value=MAX_EVERY, label="Every")
    unit = forms.ChoiceField(choices=Unit.choices, label="Unit")
    next_due = forms.DateField(
        widget=DateInput(),
        label="Next meeting due",
        help_text="A changed rule counts from this date.",
        error_messages=DATE_ERRORS,
    )
    active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="Untick to end the series: it is then never overdue.",
    )
    reason = forms.CharField(max_length=100, required=False, label="Reason for the change")

    def clean_next_due(self):
        return bounded(self.cleaned_data.get("next_due"))


class RecordForm(StepForm):
    held_on = forms.DateField(widget=DateInput(), label="Held on", error_messages=DATE_ERRORS)
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text="One per line: name, function, side (CMO or client).",
    )
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    decisions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        required=False,
        help_text="One decision per line; each is written to the client's communication log.",
    )

    def clean_held_on(self):
        return bounded(self.cleaned_data.get("held_on"))

    def decision_list(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data.get("decisions", "").splitlines() if d.strip()]


def action_forms(data=None) -> list[NewActionForm]:
    """The record form's action rows (prefixed action-0 ...); an empty row is left out."""
    return new_action_forms(data, prefix="action", rows=ACTION_ROWS)


class MeetingFilterForm(Form):
    client = forms.CharField(required=False, max_length=40)
