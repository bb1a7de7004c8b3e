"""Deployment: the server never starts with the public key, HSTS behind HTTPS, `check --deploy`
clean in the production configuration of the README. Real processes: gunicorn, `tower`."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tower.secret_key import DEFAULT_SECRET_KEY, REFUSAL, demo_key

BIN = Path(sys.executable).parent
LONG_KEY = "k7-" + "x9Qz" * 16  # 67 characters, varied enough for check --deploy

# The "Production" section of the README: the variables to set (plus a data folder for the test).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": LONG_KEY,
    "ALLOWED_HOSTS": "tower.example.com",
    "TOWER_HTTPS": "1",
    "TOWER_HSTS_SUBDOMAINS": "1",
    "TOWER_HSTS_PRELOAD": "1",
}


def environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_*: e.g. DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set in this process.
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
        and not key.startswith(("TOWER_", "DJANGO_"))
    }
    env.update(TOWER_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tower.settings")
    env.update(variables)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, timeout=60):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def test_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    result = run(
        [BIN / "tower", "check", "--deploy", "--fail-level", "WARNING"],
        environment(tmp_path, **PRODUCTION),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_https(tmp_path):
    """The same check fails on the settings this change fixed: it is not vacuous."""
    production = {**PRODUCTION, "TOWER_HTTPS": "0"}
    result = run(
        [BIN / "tower", "check", "--deploy", "--fail-level", "WARNING"],
        environment(tmp_path, **production),
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS


def test_hsts_header_behind_https(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='tower.example.com')\n"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'))\n"
    )
    result = run([sys.executable, "-c", script], environment(tmp_path, **PRODUCTION))
    assert result.stdout.split(maxsplit=1) == [
        "200",
        "max-age=31536000; includeSubDomains; preload\n",
    ], result.stderr
    no_https = {**PRODUCTION, "TOWER_HTTPS": "0"}
    result = run([sys.executable, "-c", script], environment(tmp_path, **no_https))
    assert result.stdout == "200 None\n", result.stderr


@pytest.mark.parametrize("server", ["gunicorn", "runserver"])
def test_server_refuses_to_start_without_a_secret_key(tmp_path, server):
    port = free_port()
    if server == "gunicorn":
        args = [BIN / "gunicorn", "tower.wsgi:application", "-b", f"127.0.0.1:{port}"]
    else:
        args = [BIN / "tower", "runserver", f"127.0.0.1:{port}", "--noreload"]
    result = run(args, environment(tmp_path, DEBUG="0"))
    assert result.returncode == 3
    assert REFUSAL in result.stderr
    assert "Traceback" not in result.stderr
    # With a key, the same gunicorn serves (a request is answered).
    if server == "gunicorn":
        env = environment(tmp_path, DEBUG="0", SECRET_KEY=LONG_KEY)
        process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for_http(port) == 302  # / sends to the sign-in page
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for_http(port: int) -> int:
    import http.client
    import time

    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            return connection.getresponse().status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_commands_that_do_not_serve_run_without_a_secret_key(tmp_path, migrated_sqlite):
    env = environment(migrated_sqlite(tmp_path), DEBUG="0")
    assert run([BIN / "tower", "migrate"], env, timeout=180).returncode == 0  # nothing to apply
    result = run([BIN / "tower", "client", "list"], env)
    assert result.returncode == 0, result.stderr
    assert "tower client add" in result.stdout


def test_demo_key_is_random_private_and_kept(tmp_path):
    key = demo_key(tmp_path)
    path = tmp_path / "demo-secret-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50 and key != DEFAULT_SECRET_KEY
    assert demo_key(tmp_path) == key  # generated once
    assert demo_key(tmp_path / "other") != key
