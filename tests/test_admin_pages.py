"""The Django admin behind the app: every list and change page renders; client users stay out;
computed tables and approved or closed records are view only (tower/readonly_admin.py)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import make_user
from tests.orders.test_import_lines import SMALL
from tests.web.conftest import World, build_world
from tower.performance.models import LineOutcome, MonthlyOtif, RootCause, RootCauseStatus

# Models whose rows are computed, or records that are approved, closed or in force: view only,
# whatever reason an admin gives. Named by class, so a model moved to another app stays covered.
MUST_BE_VIEW_ONLY = {
    "LineOutcome",
    "MonthlyOtif",
    "MonthlyFailure",
    "MonthlyShipping",
    "ClosedMonthlyOtif",
    "ClosedMonthlyFailure",
    "StockOutLink",
    "OutcomeRefresh",
    "ImportLog",
    "OrderLine",
    "Delivery",
    "RootCause",
    "MonthClose",
    "OtifDefinitionVersion",
    "KpiTarget",
    "PenaltyTerm",
    "Agreement",
}
# Admins of other packages, which cannot carry `editable_because`: why they may edit.
EDITABLE_ELSEWHERE = {
    "auth.user": "user accounts are managed here (passwords are hashed by Django)",
    "auth.group": "permission groups are managed here",
    # django-axes: a CMO admin lifts a lockout by deleting its attempts (the record of sign-ins).
    "axes.accessattempt": "deleting an account's failed attempts lifts its lockout",
    "axes.accesslog": "sign-in records, kept or pruned by the CMO admin",
    "axes.accessfailurelog": "failed sign-in records, kept or pruned by the CMO admin",
    # django-otp: a user who lost the phone gets their device removed by a CMO admin.
    "otp_totp.totpdevice": "a lost authenticator is removed here so its user can enrol again",
    "otp_static.staticdevice": "recovery codes of a user who lost them are removed here",
    "otp_static.statictoken": "recovery codes of a user who lost them are removed here",
}


@pytest.fixture
def signed_in_admin(client, acme, write_csv, run_import):
    assert run_import(write_csv(SMALL), create_missing=True).ok
    client.force_login(make_user("boss", admin=True))
    return client


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_every_admin_list_and_first_object_renders(signed_in_admin):
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        listing = signed_in_admin.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        )
        assert listing.status_code == 200, meta.label
        first = model_admin.get_queryset(_request()).first()
        if first is not None:
            page = signed_in_admin.get(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
            assert page.status_code == 200, meta.label


def test_admin_is_closed_to_client_users(client, acme):
    client.force_login(make_user("viewer", acme, "client_viewer"))
    response = client.get(reverse("admin:orders_orderline_changelist"))
    assert response.status_code == 302  # sent to sign in: client users are not staff


def test_every_registered_model_is_view_only_or_says_why_it_is_editable(db):
    """Walks the whole registry (and every inline), so a new model cannot slip through."""
    request = _request(make_user("boss", admin=True))
    checked = []
    for model, model_admin in admin.site._registry.items():
        parts = [(model, model_admin)] + [
            (inline.model, inline(model, admin.site)) for inline in model_admin.inlines
        ]
        for part_model, part in parts:
            may = _permissions(part, request)
            name = part_model.__name__
            if name in MUST_BE_VIEW_ONLY:
                assert may == (False, False, False), f"{name} must be view only, not {may}"
            elif any(may):
                reason = getattr(part, "editable_because", "") or EDITABLE_ELSEWHERE.get(
                    part_model._meta.label_lower, ""
                )
                assert reason, f"{part_model._meta.label} is editable in the admin: say why"
            checked.append(name)
    # The computed and approved tables the issue names are registered (to be read) and covered.
    assert {"LineOutcome", "MonthlyOtif", "RootCause", "MonthClose", "KpiTarget"} <= set(checked)
    assert {"ImportLog", "OutcomeRefresh", "ClosedMonthlyOtif", "MonthlyShipping"} <= set(checked)


@pytest.fixture
def world(acme, globex, write_csv, run_import) -> World:
    return build_world(acme, globex, write_csv, run_import)


def test_an_approved_root_cause_cannot_be_changed_deleted_or_reverted_in_the_admin(world, client):
    """The issue's case: a CMO admin rewrote an approved cause in /admin/ behind the workflow."""
    client.force_login(world.admin)
    cause = RootCause.objects.get(line=world.acme_short)
    assert cause.status == RootCauseStatus.APPROVED
    url = reverse("admin:performance_rootcause_change", args=[cause.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    changed = {"status": "proposed", "code": "CUST-FORECAST", "comment": "rewritten"}
    assert client.post(url, {**_form(cause), **changed}).status_code == 403
    delete = reverse("admin:performance_rootcause_delete", args=[cause.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # Reverting to an earlier version of its history is a change too (simple_history saves the
    # posted form without asking for the change permission).
    first = cause.history.earliest()
    revert = reverse(
        "admin:performance_rootcause_simple_history", args=[cause.pk, first.history_id]
    )
    assert client.post(revert, {**_form(cause), "status": "proposed"}).status_code == 403
    assert client.get(reverse("admin:performance_rootcause_add")).status_code == 403
    cause.refresh_from_db()
    assert (cause.status, cause.comment) == (RootCauseStatus.APPROVED, _form(cause)["comment"])


def test_computed_figures_cannot_be_edited_in_the_admin(world, client):
    client.force_login(world.admin)
    row = MonthlyOtif.objects.filter(client=world.acme).first()
    url = reverse("admin:performance_monthlyotif_change", args=[row.pk])
    assert client.post(url, {"lines": 999, "otif": 999}).status_code == 403
    outcome = LineOutcome.objects.get(line=world.acme_late)
    url = reverse("admin:performance_lineoutcome_change", args=[outcome.pk])
    assert client.post(url, {"otif": "on", "state": "measured"}).status_code == 403
    row.refresh_from_db()
    outcome.refresh_from_db()
    assert row.lines != 999 and outcome.otif is False


def _form(cause: RootCause) -> dict:
    return {
        "client": cause.client_id,
        "line": cause.line_id,
        "code": cause.code_id,
        "status": cause.status,
        "comment": cause.comment,
        "internal_note": cause.internal_note,
        "proposed_by": cause.proposed_by,
        "proposed_at_0": cause.proposed_at.date().isoformat(),
        "proposed_at_1": cause.proposed_at.time().isoformat(timespec="seconds"),
        "reviewed_by": cause.reviewed_by,
        "review_comment": cause.review_comment,
    }


def _permissions(model_admin, request) -> tuple[bool, bool, bool]:
    if isinstance(model_admin, admin.options.InlineModelAdmin):
        add = model_admin.has_add_permission(request, None)
    else:
        add = model_admin.has_add_permission(request)
    return (
        add,
        model_admin.has_change_permission(request),
        model_admin.has_delete_permission(request),
    )


def _request(user=None):
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    return request
