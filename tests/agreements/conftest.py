"""The people of the actions register's tests: an admin, ACME's staff, viewer and approver, and
a GLOBEX viewer."""

from tests.actions.conftest import people  # noqa: F401  (fixture)
