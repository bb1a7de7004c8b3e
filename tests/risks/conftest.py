from tests.projects.conftest import globex_project, people, project  # noqa: F401
