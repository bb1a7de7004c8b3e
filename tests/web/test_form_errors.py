"""A form's errors in one sentence (tower.web.forms.form_error_text), plain or each after its
field's label, as the pages' "was not saved" messages write them."""

from __future__ import annotations

from django import forms

from tower.web.forms import Form, form_error_text


class PenaltyLike(Form):
    rate = forms.DecimalField(label="Rate")
    description = forms.CharField(label="What it is for", max_length=5)

    def clean(self):
        raise forms.ValidationError("Nothing to save.")


def test_errors_plain_in_field_order_then_the_form_s_own():
    form = PenaltyLike({"rate": "ten", "description": "too long"})
    assert not form.is_valid()
    assert form_error_text(form) == (
        "Enter a number.; Ensure this value has at most 5 characters (it has 8).; Nothing to save."
    )


def test_labelled_errors_name_the_field_but_not_the_form_s_own():
    form = PenaltyLike({"rate": "ten", "description": "too long"})
    assert not form.is_valid()
    assert form_error_text(form, labelled=True) == (
        "Rate: Enter a number.; "
        "What it is for: Ensure this value has at most 5 characters (it has 8).; "
        "Nothing to save."
    )
