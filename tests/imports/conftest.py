from tests.quality.conftest import run_records  # noqa: F401  (the record imports, as the operator)
