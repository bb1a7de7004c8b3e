"""The `tower` console script: Django's management commands under one name.

`tower --help` lists every command; `tower import lines FILE` reads as a subcommand (the two
words are joined into the management command `import_lines`).
"""

import os
import sys

# `tower import lines` runs the management command `import_lines`: every import kind lives in the
# app that owns its data, and the CLI spells it as two words.
TWO_WORD_PREFIXES = {"import"}
# Commands that read or write the product's tables; they first check the schema is current so a
# fresh database gives a sentence, not a traceback.
NEEDS_SCHEMA = {
    "client",
    "user",
    "definition",
    "month",
    "import_lines",
    "import_batches",
    "import_deviations",
    "import_capas",
    "import_plan",
    "import_stockouts",
    "imports",
    "otif",
    "outcomes",
    "recompute",
    "scorecard",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
    if len(argv) >= 3 and argv[1] in TWO_WORD_PREFIXES and not argv[2].startswith("-"):
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if len(argv) >= 2 and argv[1] == "runserver":
        # runserver loads tower.wsgi in a thread, too late to stop the process cleanly.
        from tower.secret_key import refuse_public_key

        refuse_public_key()
    if len(argv) >= 2 and argv[1] in NEEDS_SCHEMA and not {"-h", "--help"} & set(argv):
        _exit_unless_schema_is_current()
    from django.core.management import execute_from_command_line

    argv[0] = "tower"
    execute_from_command_line(argv)


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
