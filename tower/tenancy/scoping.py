"""The one scoping helper: every query of client-owned data passes through here.

Default deny: a queryset scoped for a principal returns nothing unless the principal may see the
client that owns each row. Another client's object is a 404, never a 403 that confirms it exists.

A principal is a Django user, or SYSTEM for the operator's command line on the server (which acts
as a CMO admin).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404

# ClientOwnedQuerySet: every client-owned model's manager; its visible_to() calls scope() below.
from tower.tenancy.models import Client, ClientOwnedQuerySet, Membership, Role  # noqa: F401
from tower.workflow import NotAllowed


class _System:
    """The command line run by the operator on the server: sees every client."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    username = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


def is_cmo_admin(principal) -> bool:
    return bool(
        principal is not None
        and getattr(principal, "is_authenticated", False)
        and getattr(principal, "is_active", False)
        and getattr(principal, "is_superuser", False)
    )


CMO_ADMIN = "cmo_admin"
CMO_ROLES = frozenset({CMO_ADMIN, Role.CMO_STAFF})


def _active(principal) -> bool:
    return bool(
        principal is not None
        and getattr(principal, "is_authenticated", False)
        and getattr(principal, "is_active", False)
    )


def roles(principal) -> dict[int, str]:
    """The principal's role per client id (memberships), read once per principal object."""
    if not _active(principal) or principal is SYSTEM:
        return {}
    cached = getattr(principal, "_tower_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=principal).values_list("client_id", "role"))
        principal._tower_roles = cached
    return cached


def role_for(principal, client: Client) -> str | None:
    """ "cmo_admin", a Membership role, or None when the principal may not see the client."""
    if is_cmo_admin(principal):
        return CMO_ADMIN
    return roles(principal).get(client.pk)


def is_cmo_side(principal, client: Client) -> bool:
    """The CMO's own people for this client: they see internal notes and propose root causes."""
    return role_for(principal, client) in CMO_ROLES


def sees_client_names(principal) -> bool:
    """Whether the principal works across clients (the CMO); client users see only their own."""
    return is_cmo_admin(principal) or Role.CMO_STAFF in roles(principal).values()


def visible_clients(principal) -> QuerySet[Client]:
    """The clients a principal may see: all for a CMO admin, their memberships otherwise."""
    return scope(Client.objects.all(), principal, client_field="")


def scope(queryset: QuerySet, principal, *, client_field: str = "client") -> QuerySet:
    """Narrow a queryset of client-owned rows to what the principal may see.

    `client_field` names the rows' client foreign key; "" means the rows are clients themselves.
    """
    if is_cmo_admin(principal):
        return queryset
    if not _active(principal):
        return queryset.none()
    # The client ids come from the principal's memberships (read once per request), so the
    # scoped query needs no join and the database can use the client-first indexes.
    key = f"{client_field}_id__in" if client_field else "pk__in"
    return queryset.filter(**{key: list(roles(principal))})


def get_or_404(queryset: QuerySet, principal, *, client_field: str = "client", **lookup) -> Model:
    """One object the principal may see, or Http404 (also for objects of other clients)."""
    try:
        return scope(queryset, principal, client_field=client_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc


def client_by_code(clients, code: str) -> Client | None:
    """The client of `code` among `clients` (already visible to the user); None for no code.

    A code the user may not see raises Http404, exactly like one that does not exist, so a
    ?client= parameter never confirms that another client exists.
    """
    code = code.strip()
    if not code:
        return None
    for client in clients:
        if client.code == code:
            return client
    raise Http404("No such client.")


def require_role(user, client: Client, allowed: frozenset[str], action: str) -> None:
    if role_for(user, client) not in allowed:
        raise NotAllowed(f"Your role does not allow you to {action} for this client.")
