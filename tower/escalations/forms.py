from django import forms

from tower.escalations.services import TITLE_LIMIT


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    text = forms.CharField(
        label="How it was resolved", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OpenForm(forms.Form):
    client = forms.ChoiceField(label="Client")
    title = forms.CharField(
        label="Title", max_length=TITLE_LIMIT, help_text="What is wrong, in one line"
    )
    text = forms.CharField(
        label="Details",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to both sides in the escalation and the communication log",
    )

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.code, f"{c.code} · {c.name}") for c in clients]
