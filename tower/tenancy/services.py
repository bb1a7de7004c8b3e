"""Writes for tenancy: clients, users and their memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from tower.tenancy.models import Client, Membership, Role


class TenancyError(ValueError):
    """A tenancy change that cannot be made; the message says why."""


def add_client(*, code: str, name: str) -> Client:
    try:
        validate_slug(code)
    except ValidationError as exc:
        raise TenancyError(f"client code {code!r} may only hold letters, digits, - and _") from exc
    if not name.strip():
        raise TenancyError("the client's name must not be empty")
    if Client.objects.filter(code__iexact=code).exists():
        raise TenancyError(f"client {code} already exists")
    return Client.objects.create(code=code, name=name.strip())


@transaction.atomic
def add_user(
    *,
    username: str,
    password: str,
    client_code: str | None = None,
    role: str | None = None,
    cmo_admin: bool = False,
    email: str = "",
):
    """Create a user: a CMO admin (sees everything) or a member of one client with a role."""
    User = get_user_model()
    if cmo_admin == bool(client_code):
        raise TenancyError("give either --cmo-admin or --client CODE with --role")
    if client_code and role not in Role.values:
        raise TenancyError(f"--role must be one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise TenancyError(f"user {username} already exists")
    try:
        validate_email(email) if email else None
    except ValidationError as exc:
        raise TenancyError(f"{email!r} is not an e-mail address") from exc
    try:
        # With the user's own attributes, so a password like the username is refused too.
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        raise TenancyError(" ".join(exc.messages)) from exc
    client = None
    if client_code:
        client = Client.objects.filter(code=client_code).first()
        if client is None:
            raise TenancyError(f"unknown client {client_code}")
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        is_staff=cmo_admin,
        is_superuser=cmo_admin,
    )
    if client is not None:
        Membership.objects.create(user=user, client=client, role=role)
    return user
