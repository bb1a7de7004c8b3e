"""Forms of the process map's edit page (/process/<site>/edit/): one per step, each naming its
step in `op`; the services check the rules (tower.processes.services)."""

from __future__ import annotations

from django import forms

from tower.processes.models import RaciRole, Task
from tower.web.forms import Form

DEFAULT_REASON = "changed on the process map page"
RACI_CHOICES = [("", "—"), *RaciRole.choices]


class _Step(Form):
    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Why (kept in the history)",
        help_text=f"Empty: “{DEFAULT_REASON}”",
    )

    def why(self) -> str:
        return self.cleaned_data.get("reason") or DEFAULT_REASON


class DepartmentForm(_Step):
    code = forms.CharField(max_length=40, help_text="Letters, digits and _, e.g. engineering")
    name = forms.CharField(max_length=100)


class _Raci(_Step):
    """A package's name and each department's letter (raci_<department code>)."""

    name = forms.CharField(max_length=200, label="Activity package")

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        for department in departments:
            self.fields[f"raci_{department.code}"] = forms.ChoiceField(
                choices=RACI_CHOICES, required=False, label=department.name
            )

    def raci(self) -> dict[str, str]:
        return {
            name.removeprefix("raci_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("raci_") and value
        }


class PackageForm(_Raci):
    task = forms.ChoiceField(choices=Task.choices, label="Main task")
    field_order = ["task", "name"]


class PackageEditForm(_Raci):
    package = forms.IntegerField(widget=forms.HiddenInput)


class RemoveForm(_Step):
    pk = forms.IntegerField(widget=forms.HiddenInput)


class InterfaceForm(_Step):
    from_department = forms.ChoiceField(label="From")
    to_department = forms.ChoiceField(label="To")
    name = forms.CharField(max_length=200, label="What is handed over")

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.code, d.name) for d in departments]
        self.fields["from_department"].choices = choices
        self.fields["to_department"].choices = choices


class TraceForm(_Step):
    area = forms.ChoiceField(label="Functional area")
    interface = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Traces to the hand-over"
    )

    def __init__(self, *args, areas, interfaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.name) for a in areas]
        self.fields["interface"].choices = [("", "no hand-over")] + [
            (i.pk, f"{i.from_department.name} → {i.to_department.name}: {i.name}")
            for i in interfaces
        ]
