"""Forms of the harmonisation pages: the backlog's filters and the steps' inputs."""

from __future__ import annotations

from django import forms

from tower.engine.fmea import LENSES, PRIORITY_NAMES, RATING_MAX, RATING_MIN
from tower.performance.forms import MonthField
from tower.web.forms import Form

EXPORT_FORMATS = ("csv", "xlsx")
TEXT_LIMIT = 10_000


class BacklogFilter(Form):
    """The backlog's filters, read from the query string (unknown values are form errors)."""

    client = forms.CharField(required=False)
    area = forms.CharField(required=False)
    site = forms.CharField(required=False)
    ap = forms.ChoiceField(
        required=False, choices=[("", "All")] + list(PRIORITY_NAMES.items()), label="Priority"
    )
    overdue = forms.BooleanField(required=False, label="Only rows with an overdue action")

    def __init__(self, data, *, clients, areas, sites, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = MonthField(required=False, label="Evidence from")
        self.fields["to"] = MonthField(required=False, label="Evidence to")
        self.clients, self.areas, self.sites = clients, areas, sites

    def clean_client(self):
        code = self.cleaned_data["client"].strip()
        if code and code not in {c.code for c in self.clients}:
            raise forms.ValidationError("There is no such client.")
        return code

    def clean_area(self):
        code = self.cleaned_data["area"].strip()
        if code and code not in {a.code for a in self.areas}:
            raise forms.ValidationError(f"There is no process area {code!r}.")
        return code

    def clean_site(self):
        code = self.cleaned_data["site"].strip()
        if code and code not in {s.code for s in self.sites}:
            raise forms.ValidationError(f"There is no site {code!r}.")
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The last month must not be before the first.")
        return data


def _rating(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=RATING_MIN,
        max_value=RATING_MAX,
        error_messages={
            "invalid": f"Enter a whole number from {RATING_MIN} to {RATING_MAX}.",
            "required": f"Enter a whole number from {RATING_MIN} to {RATING_MAX}.",
        },
    )


class RatingForm(Form):
    """S by three lenses, O and D, and why (the reason is kept with the rating)."""

    severity_site = _rating(f"S · {LENSES[0][1]}")
    severity_client = _rating(f"S · {LENSES[1][1]}")
    severity_patient = _rating(f"S · {LENSES[2][1]}")
    occurrence = _rating("O · occurrence")
    detection = _rating("D · detection (10 = the client finds it)")
    reason = forms.CharField(
        max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Why"
    )

    def ratings(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("reason", "action")}


class ReviseForm(RatingForm):
    action = forms.IntegerField(label="After the verified action")


class ActionForm(Form):
    description = forms.CharField(
        max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Action"
    )
    owner = forms.CharField(max_length=150)
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))


class NoteForm(Form):
    note = forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))


def problems(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else 'Form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
