"""The Django admin behind the app: every list and change page renders; client users stay out."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import make_user
from tests.orders.test_import_lines import SMALL


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


def _request():
    from django.test import RequestFactory

    return RequestFactory().get("/")
