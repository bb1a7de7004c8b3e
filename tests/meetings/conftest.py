"""The people and the frozen today of the actions register's tests (2026-11-10)."""

from tests.actions.conftest import people, today  # noqa: F401  (fixtures)
