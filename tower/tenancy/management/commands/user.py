"""tower user add USERNAME [--password P] [--email E] [--client CODE --role ROLE | --cmo-admin]"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from tower.tenancy import services
from tower.tenancy.models import Role


class Command(BaseCommand):
    help = "Add users: CMO admins, or members of one client with a role."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add}")
        add = actions.add_parser("add", help="Add a user.")
        add.add_argument("username")
        add.add_argument(
            "--password",
            help="The password; without it, it is asked for (or read from standard input)",
        )
        add.add_argument("--email", default="", help="E-mail address, for password resets")
        add.add_argument(
            "--client", help="Client code the user belongs to (or is assigned to, for CMO staff)"
        )
        add.add_argument("--role", choices=Role.values, help="Role for that client")
        add.add_argument(
            "--cmo-admin", action="store_true", help="A CMO admin: sees and manages every client"
        )

    def handle(self, *args, action, **options):
        password = options["password"]
        if password is None:
            password = self.read_password()
        try:
            user = services.add_user(
                username=options["username"],
                password=password,
                email=options["email"],
                client_code=options["client"],
                role=options["role"],
                cmo_admin=options["cmo_admin"],
            )
        except services.TenancyError as exc:
            raise CommandError(str(exc)) from exc
        what = "CMO admin" if options["cmo_admin"] else f"{options['role']} of {options['client']}"
        self.stdout.write(f"Added user {user.username} ({what}).")

    def read_password(self) -> str:
        """Asked twice at a terminal (not echoed); otherwise the first line of standard input."""
        if sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("the two passwords differ")
            return password
        return sys.stdin.readline().rstrip("\r\n")
