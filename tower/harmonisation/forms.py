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


CMO_WIDE = "*"


class ItemForm(Form):
    """A row: where the sites differ and how the client would feel it (the ratings follow)."""

    client = forms.ChoiceField(
        label="Concerns",
        help_text="The client whose users see the row; every client: CMO-internal (CMO admins)",
    )
    process_area = forms.ChoiceField(label="Process area")
    sites = forms.MultipleChoiceField(
        label="Sites whose practice differs",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one site whose practice differs."},
    )
    difference = forms.CharField(
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What differs",
        help_text="e.g. EU1 and US1 use different batch-record templates",
    )
    failure_mode = forms.CharField(
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Failure mode as the client would experience it",
        help_text="e.g. the client's QA reads two layouts and queries both",
    )

    def __init__(self, *args, clients, areas, sites, cmo_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.code, f"{c.code} · {c.name}") for c in clients]
        if cmo_wide:
            choices.append((CMO_WIDE, "Every client (CMO-internal)"))
        self.fields["client"].choices = choices
        self.fields["process_area"].choices = [(a.code, a.name) for a in areas]
        self.fields["sites"].choices = [
            (s.code, s.code if not s.name or s.name == s.code else f"{s.code} · {s.name}")
            for s in sites
        ]


class NewItemForm(ItemForm, RatingForm):
    """A new row with its first assessment and why."""

    field_order = [
        "client",
        "process_area",
        "sites",
        "difference",
        "failure_mode",
        "severity_site",
        "severity_client",
        "severity_patient",
        "occurrence",
        "detection",
        "reason",
    ]

    def ratings(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in RatingForm.base_fields if name != "reason"
        }


class EditItemForm(ItemForm):
    """What differs, where and how the client feels it, corrected with a reason (the ratings are
    corrected on the row's page, each rating with its own reason)."""

    reason = forms.CharField(
        max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Why the change"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["client"]  # who sees a row does not change once it is written


class NoteForm(Form):
    note = forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))


def problems(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else 'Form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
