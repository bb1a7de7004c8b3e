"""The `tower` console script: Django's management commands under one name.

`tower --help` lists every command; `tower import lines FILE` and `tower client add` read as
subcommands (the two words are joined into the management command `import_lines`, `client`...).
"""

import os
import sys

# `tower import lines` runs the management command `import_lines`: every import kind lives in the
# app that owns its data, and the CLI spells it as two words.
TWO_WORD_PREFIXES = {"import"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
    if len(argv) >= 3 and argv[1] in TWO_WORD_PREFIXES and not argv[2].startswith("-"):
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    argv[0] = "tower"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
