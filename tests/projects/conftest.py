"""A project of ACME and one of GLOBEX, with a user of every role."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tower.projects import services
from tower.tenancy.models import Membership, Role
from tower.tenancy.scoping import SYSTEM

START = dt.date(2026, 1, 5)


def make_user(username, client=None, role=None, *, admin=False):
    """A user without a password (force_login signs in): no slow hashing per test."""
    user = get_user_model().objects.create_user(
        username=username, password=None, is_superuser=admin, is_staff=admin
    )
    if client is not None:
        Membership.objects.create(user=user, client=client, role=role)
    return user


@pytest.fixture
def people(acme, globex):
    return {
        "admin": make_user("boss", admin=True),
        "staff": make_user("acme_staff", acme, Role.CMO_STAFF),
        "viewer": make_user("acme_viewer", acme, Role.CLIENT_VIEWER),
        "approver": make_user("acme_approver", acme, Role.CLIENT_APPROVER),
        "globex_approver": make_user("globex_approver", globex, Role.CLIENT_APPROVER),
        "globex_staff": make_user("globex_staff", globex, Role.CMO_STAFF),
    }


@pytest.fixture
def project(acme, people):
    return services.create_project(
        client=acme,
        code="TT-1",
        name="Acme transfer of the tablet line",
        kind="tech_transfer",
        start_date=START,
        cmo_manager=people["staff"],
        client_contact="Ann Client",
        user=people["staff"],
    )


@pytest.fixture
def globex_project(globex):
    return services.create_project(
        client=globex,
        code="GLOBEX-NP-1",
        name="Globex new product",
        kind="new_product",
        start_date=START,
        user=SYSTEM,
    )
