"""The `tower` console script: Django's management commands under one name.

`tower --help` lists every command; `tower import lines FILE` reads as a subcommand (the two
words are joined into the management command `import_lines`).
"""

import os
import sys
import textwrap
from pathlib import Path

# `tower import lines` runs the management command `import_lines`: every import kind is a command
# of tower.imports, and the CLI spells it as two words.
TWO_WORD_PREFIXES = {"import"}
# Commands that read or write the product's tables; they first check the schema is current so a
# fresh database gives a sentence, not a traceback.
NEEDS_SCHEMA = {
    "client",
    "user",
    "definition",
    "month",
    "rootcause",
    "import_lines",
    "import_batches",
    "import_deviations",
    "import_capas",
    "import_plan",
    "import_stockouts",
    "import_stock",
    "imports",
    "otif",
    "outcomes",
    "recompute",
    "scorecard",
    "process",
    "worker",
    "calendar",
    "escalation",
    "board",
}


HELP_FLAGS = {"-h", "--help"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
    # `tower help import lines` is `tower help import_lines`.
    if len(argv) >= 4 and argv[1] == "help" and argv[2] in TWO_WORD_PREFIXES:
        argv[2:4] = [f"{argv[2]}_{argv[3]}"]
    if len(argv) >= 3 and argv[1] in TWO_WORD_PREFIXES and not argv[2].startswith("-"):
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    # `tower import`, `tower import --help` and `tower help import`: the prefix alone is no
    # management command, so list what it takes instead of Django's "Unknown command".
    prefix = _bare_prefix(argv)
    if prefix is not None:
        sys.exit(_list_subcommands(prefix, ok=len(argv) > 2))
    from django.conf import settings

    if len(argv) >= 2 and argv[1] == "runserver":
        # runserver loads tower.wsgi in a thread, too late to stop the process cleanly.
        from tower.secret_key import refuse_public_key

        refuse_public_key()
    needs_data = len(argv) >= 2 and argv[1] in NEEDS_SCHEMA and not HELP_FLAGS & set(argv)
    if needs_data:
        _exit_unless_database_exists()
        _exit_unless_schema_is_current()
    else:
        # migrate, demo, runserver ... create the database; the folder must be there.
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    argv[0] = "tower"
    from django.db import OperationalError

    from tower.tenancy.locks import BUSY_MESSAGE, is_database_busy

    try:
        execute_from_command_line(argv)
    except OperationalError as exc:
        # SQLite: another process kept the database locked past the busy timeout. Every write
        # is one transaction, so nothing was changed: say so instead of a traceback.
        if not is_database_busy(exc):
            raise
        sys.exit(BUSY_MESSAGE)


def _bare_prefix(argv: list[str]) -> str | None:
    """The two-word prefix asked about on its own ("import"), or None."""
    if len(argv) == 3 and argv[1] == "help" and argv[2] in TWO_WORD_PREFIXES:
        return argv[2]
    if len(argv) >= 2 and argv[1] in TWO_WORD_PREFIXES and set(argv[2:]) <= HELP_FLAGS:
        return argv[1]
    return None


def _list_subcommands(prefix: str, *, ok: bool) -> int:
    """Print `tower PREFIX KIND` for every kind with its help; 0 when help was asked for."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    out = sys.stdout if ok else sys.stderr
    out.write(
        f"usage: tower {prefix} KIND FILE [options]   (tower help {prefix} KIND: options)\n\n"
    )
    for name, app in sorted(get_commands().items()):
        if name.startswith(f"{prefix}_"):
            kind = name.removeprefix(f"{prefix}_")
            about = load_command_class(app, name).help
            out.write(
                f"  {kind}\n{textwrap.fill(about, 96, initial_indent=' ' * 6, subsequent_indent=' ' * 6)}\n"
            )
    return 0 if ok else 2


def _exit_unless_database_exists() -> None:
    """A command that reads or writes the product's data never creates an empty SQLite file:
    it says where it looked and how to make the database."""
    from django.conf import settings

    # Read from the settings, before django.setup(), which already opens files in the data
    # folder (the job queue). Under pytest NAME is the test database, in memory.
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name
    if "sqlite" not in database["ENGINE"] or in_memory or Path(name).is_file():
        return
    where = (
        "TOWER_DATA_DIR names it"
        if os.environ.get("TOWER_DATA_DIR")
        else "var/ of the checkout; set TOWER_DATA_DIR to use another"
    )
    sys.exit(
        f"No database at {name}: run `tower migrate` first to create an empty one there, or "
        f"`tower demo` for the demo data (the data folder is {where})."
    )


def _exit_unless_schema_is_current() -> None:
    import django
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    django.setup()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database schema is missing or out of date: run `tower migrate` first.")


if __name__ == "__main__":
    main()
