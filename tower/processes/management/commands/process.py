"""tower process seed [--site CODE]: give sites without a process map the default one."""

from django.core.management.base import BaseCommand, CommandError

from tower.masterdata.models import Site
from tower.processes.services import seed_default_map
from tower.tenancy.scoping import SYSTEM


class Command(BaseCommand):
    help = "The end-to-end process map: seed the default map (tower/processes/defaults.py)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        seed = actions.add_parser("seed", help="Give each site without a map the default one")
        seed.add_argument("--site", help="Only this site (its code)")

    def handle(self, *args, action, **options):
        sites = Site.objects.order_by("code")
        if options["site"]:
            sites = sites.filter(code=options["site"])
            if not sites.exists():
                raise CommandError(f"There is no site {options['site']!r}.")
        for site in sites:
            done = seed_default_map(user=SYSTEM, site=site)
            self.stdout.write(f"{site.code}: {'default map added' if done else 'already mapped'}")
