"""The secret key: never serve with the public default one.

Django signs sessions, password-reset links and CSRF tokens with SECRET_KEY. Commands that do not
serve (imports, figures, exports) may run with the public default key below; a server may not:
`tower.wsgi` (which gunicorn and runserver both load) stops with one line when DEBUG is off and
SECRET_KEY is unset. The local demo has its own random key, generated once into the data folder.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

DEFAULT_SECRET_KEY = "insecure-public-key-set-SECRET_KEY-to-serve"
DEMO_KEY_FILE = "demo-secret-key"

REFUSAL = (
    "Refusing to serve: SECRET_KEY is not set and DEBUG is off "
    "(set SECRET_KEY to a long random value, see README 'Production')."
)


# gunicorn stops its master (not only the worker) when a worker exits with 3, "failed to boot".
EXIT_CODE = 3


def refuse_public_key() -> None:
    """At server start-up: one line on stderr and exit, never a traceback nor a served request."""
    from django.conf import settings

    if not settings.DEBUG and settings.SECRET_KEY == DEFAULT_SECRET_KEY:
        sys.stderr.write(REFUSAL + "\n")
        sys.stderr.flush()
        raise SystemExit(EXIT_CODE)


def demo_key(data_dir: Path) -> str:
    """The demo's own key: read from the data folder, created there once (mode 0600)."""
    path = Path(data_dir) / DEMO_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two demos starting at once cannot both write; 0600: only its owner reads it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
