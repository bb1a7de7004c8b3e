"""Two-factor pages: the account's second factor, enrolling an app, verifying at sign-in,
recovery codes. The work is in tower/tenancy/two_factor.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tower.tenancy import two_factor

# django-otp makes each wrong code double the wait before the next try (1 s, 2 s, 4 s, ...).
WRONG_CODE = (
    "That code is not right, was used already, or came too soon after a wrong one: "
    "wait for the next code and try again."
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def overview(request):
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": two_factor.app_device(user) is not None,
            "remaining": two_factor.remaining_recovery_codes(user),
            "required": two_factor.required(user),
        },
    )


@login_required
def enrol(request):
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next(request), "enrolled_now": True},
            )
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "secret": two_factor.secret(device),
            "next": _next(request),
            "required": two_factor.required(request.user),
        },
    )


@login_required
def verify(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", WRONG_CODE)
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@login_required
@require_POST
def recovery_codes(request):
    if two_factor.app_device(request.user) is None:
        return redirect("two_factor")
    codes = two_factor.new_recovery_codes(request.user)
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("two_factor")},
    )


@login_required
@require_POST
def disable(request):
    two_factor.disable(request.user)
    return redirect("two_factor")
