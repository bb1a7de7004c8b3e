"""The tenant (Client) and who may see it (Membership)."""

from django.conf import settings
from django.db import models


class ClientQuerySet(models.QuerySet):
    # The rows' client key ("" for the clients themselves), for tower.tenancy.scoping.scope.
    client_field = ""

    def visible_to(self, principal) -> models.QuerySet:
        """What the principal may see (tower.tenancy.scoping, the one place)."""
        from tower.tenancy.scoping import scope  # scoping reads the models of this module

        return scope(self, principal, client_field=self.client_field)


class ClientOwnedQuerySet(ClientQuerySet):
    """The queryset of every client-owned model: `Model.objects....visible_to(principal)` is
    tower.tenancy.scoping.scope as a method, so a view reads client-owned rows as
    `Batch.objects.filter(...).visible_to(request.user)` and the rule stays in one place."""

    client_field = "client"


class Client(models.Model):
    """A pharma company the CMO manufactures for: the tenant every client-owned row points to."""

    code = models.SlugField(
        max_length=40, unique=True, help_text="Short code used in files and URLs"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Role(models.TextChoices):
    CLIENT_VIEWER = "client_viewer", "Client viewer"
    CLIENT_APPROVER = "client_approver", "Client approver"
    CMO_STAFF = "cmo_staff", "CMO staff"


CLIENT_ROLES = frozenset({Role.CLIENT_VIEWER, Role.CLIENT_APPROVER})


class Membership(models.Model):
    """A user's access to one client. CMO admins (superusers) need none: they see every client."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_membership_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.client} ({self.role})"


class ResetRequest(models.Model):
    """A password-reset request, kept an hour to throttle them per address and per e-mail.

    The e-mail is stored as a SHA-256 (of its lower case): the count needs no readable address,
    and a typed address that belongs to nobody is not kept.
    """

    address = models.GenericIPAddressField(null=True)
    email_sha256 = models.CharField(max_length=64)
    requested_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["address", "requested_at"]),
            models.Index(fields=["email_sha256", "requested_at"]),
        ]
