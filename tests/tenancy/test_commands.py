"""tower client and tower user."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.tenancy.models import Membership


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_client_add_then_list_as_json():
    run("client", "add", "ACME", "--name", "Acme Pharma")
    run("client", "add", "BETA", "--name", "Beta Biologics")
    assert json.loads(run("client", "list", "--format", "json")) == [
        {"code": "ACME", "name": "Acme Pharma"},
        {"code": "BETA", "name": "Beta Biologics"},
    ]


@pytest.mark.django_db
def test_client_add_refuses_duplicates_and_bad_codes():
    run("client", "add", "ACME", "--name", "Acme Pharma")
    with pytest.raises(CommandError, match="already exists"):
        run("client", "add", "acme", "--name", "Again")
    with pytest.raises(CommandError, match="letters, digits"):
        run("client", "add", "A C", "--name", "Spaces")


@pytest.mark.django_db
def test_empty_client_list_says_how_to_add_one():
    assert "tower client add" in run("client", "list")


@pytest.mark.django_db
def test_user_add_client_member_and_cmo_admin(acme):
    run(
        "user",
        "add",
        "ann",
        "--password",
        "long-enough-1",
        "--client",
        "ACME",
        "--role",
        "client_approver",
    )
    run("user", "add", "boss", "--password", "long-enough-2", "--cmo-admin")
    membership = Membership.objects.get(user__username="ann")
    assert (membership.client.code, membership.role) == ("ACME", "client_approver")
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_superuser and not boss.memberships.exists()


@pytest.mark.django_db
def test_user_add_errors_are_clear(acme):
    with pytest.raises(CommandError, match="either --cmo-admin or --client"):
        run("user", "add", "x", "--password", "long-enough-1")
    with pytest.raises(CommandError, match="unknown client"):
        run(
            "user",
            "add",
            "x",
            "--password",
            "long-enough-1",
            "--client",
            "NOPE",
            "--role",
            "client_viewer",
        )
    with pytest.raises(CommandError, match="--role must be one of"):
        run("user", "add", "x", "--password", "long-enough-1", "--client", "ACME")
    assert not get_user_model().objects.filter(username="x").exists()
