"""Forms of the notice, inbox and log pages: what they read and how bad input reads back."""

from __future__ import annotations

import datetime as dt

from django import forms

from tower.communications.models import LogEntry, Side
from tower.communications.services import FIRST_DATE, LAST_DATE, MAX_LINES, TEXT_LIMIT
from tower.web.forms import DATE_ERRORS, DateInput, Form, StepForm

WIDEN = {
    "lines": "Only these lines",
    "order": "Every open line of their orders",
    "batch": "Every open line planned on their batches",
    "product": "Every open line of their products",
}


def bounded(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise forms.ValidationError("Choose a date between the years 1900 and 2999.")
    return value


def line_ids(text: str) -> list[int]:
    """`?lines=12,13` as ids; a clear error for anything else."""
    ids = []
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or len(part) > 18:
            raise forms.ValidationError(f"{part[:40]!r} is not a line id: write ids like 12,13.")
        ids.append(int(part))
    if len(ids) > MAX_LINES:
        raise forms.ValidationError(f"A notice covers at most {MAX_LINES} lines.")
    return sorted(set(ids))


class NoticeForm(StepForm):
    lines = forms.CharField(widget=forms.HiddenInput, required=False)
    widen = forms.ChoiceField(
        choices=list(WIDEN.items()),
        initial="lines",
        label="Lines",
        widget=forms.RadioSelect,
        help_text="Tell the client about every open line of the same order, batch or product at once.",
    )
    expected_date = forms.DateField(
        widget=DateInput(),
        label="New expected date",
        help_text="When the client can now expect the goods.",
        error_messages=DATE_ERRORS,
    )
    cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        label="Cause, for the client",
        help_text="What happened, in words the client's planner understands.",
    )
    remedial_actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        label="Remedial actions",
        help_text="What the CMO does to recover, and by when.",
    )
    cmo_contact = forms.CharField(
        max_length=300,
        label="CMO contact",
        help_text="Who the client calls: name, phone, e-mail.",
    )
    internal_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        required=False,
        label="Internal note (CMO only)",
        help_text="Never shown or e-mailed to the client.",
    )

    def clean_lines(self):
        return line_ids(self.cleaned_data.get("lines", ""))

    def clean_expected_date(self):
        return bounded(self.cleaned_data.get("expected_date"))


class AcknowledgeForm(StepForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        required=False,
        help_text="Optional: what the delay means for you, a question.",
    )


class ReplyForm(StepForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        label="Reply",
    )


LOG_SORTS = {"at": "at", "kind": "kind", "side": "side", "who": "who"}


class LogFilterForm(Form):
    client = forms.CharField(required=False, max_length=40)
    kind = forms.ChoiceField(required=False, choices=[("", "Any")] + LogEntry.Kind.choices)
    side = forms.ChoiceField(required=False, choices=[("", "Both")] + Side.choices)
    start = forms.DateField(
        required=False, widget=DateInput(), label="From", error_messages=DATE_ERRORS
    )
    end = forms.DateField(
        required=False, widget=DateInput(), label="To", error_messages=DATE_ERRORS
    )
    order = forms.CharField(required=False, max_length=100, label="Order")
    line = forms.IntegerField(
        required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput
    )
    sort = forms.CharField(required=False, max_length=10)

    def clean_start(self):
        return bounded(self.cleaned_data.get("start"))

    def clean_end(self):
        return bounded(self.cleaned_data.get("end"))

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or "-at"
        if sort.removeprefix("-") not in LOG_SORTS:
            raise forms.ValidationError(
                f"The log can be sorted by {', '.join(LOG_SORTS)} (prefix - for descending)."
            )
        return sort

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date is before the start date.")
        return data
