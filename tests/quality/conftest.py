"""Running the record imports (tower.imports.kinds) on small hand-written files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tower.imports import kinds
from tower.tenancy.scoping import SYSTEM


@pytest.fixture
def run_records():
    """Import a file of one kind as the operator: run_records("batches", path, **options)."""

    def run(kind: str, path: Path, **options):
        importer = getattr(kinds, f"import_{kind}")
        return importer(
            path=path, actor="test", principal=options.pop("principal", SYSTEM), **options
        )

    return run
