"""tower user add USERNAME --password P [--client CODE --role ROLE | --cmo-admin]"""

from django.core.management.base import BaseCommand, CommandError

from tower.tenancy import services
from tower.tenancy.models import Role


class Command(BaseCommand):
    help = "Add users: CMO admins, or members of one client with a role."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add}")
        add = actions.add_parser("add", help="Add a user.")
        add.add_argument("username")
        add.add_argument("--password", required=True)
        add.add_argument(
            "--client", help="Client code the user belongs to (or is assigned to, for CMO staff)"
        )
        add.add_argument("--role", choices=Role.values, help="Role for that client")
        add.add_argument(
            "--cmo-admin", action="store_true", help="A CMO admin: sees and manages every client"
        )

    def handle(self, *args, action, **options):
        try:
            user = services.add_user(
                username=options["username"],
                password=options["password"],
                client_code=options["client"],
                role=options["role"],
                cmo_admin=options["cmo_admin"],
            )
        except services.TenancyError as exc:
            raise CommandError(str(exc)) from exc
        what = "CMO admin" if options["cmo_admin"] else f"{options['role']} of {options['client']}"
        self.stdout.write(f"Added user {user.username} ({what}).")
