"""Form bases every page shares: labels as written, and a step whose refusal becomes the form's
error (a role that may not take it at all: 403)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tower.workflow import NotAllowed, WorkflowError

DATE_ERRORS = {"invalid": "Write the date as YYYY-MM-DD, e.g. 2026-03-31."}


class DateInput(forms.DateInput):
    """A browser date picker that reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class Form(forms.Form):
    """Labels as written, without Django's trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StepForm(Form):
    """A form whose cleaned data a service step writes."""

    def run(self, step):
        """Run `step(cleaned_data)` in one transaction and return what it returns; None when the
        workflow refused it (the reason is then the form's error). A role that may not take the
        step at all gets 403 (the object is visible to the user, so that confirms nothing)."""
        try:
            with transaction.atomic():
                return step(self.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except WorkflowError as exc:
            self.add_error(None, str(exc))
            return None


def form_error_text(form, *, labelled: bool = False) -> str:
    """A form's errors in one sentence, for a message on the page a step goes back to; with
    `labelled`, each field's errors after its label ("Rate: Enter a number.")."""
    return "; ".join(
        f"{form.fields[name].label}: {e}" if labelled and name in form.fields else e
        for name, errors in form.errors.items()
        for e in errors
    )
