"""The README's production steps, run for real: collectstatic, migrate, gunicorn.

This is what the Dockerfile does, so a green run here keeps the image honest.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "production-smoke-test-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESSLOG": str(workdir / "access.log"),
    }
    env.pop("REDIS_URL", None)
    manage = [str(VENV_BIN / "python"), "manage.py"]
    for command in (
        ["collectstatic", "--no-input", "-v", "0"],
        ["migrate", "-v", "0"],
        ["load_demo", "-v", "0"],
    ):
        subprocess.run([*manage, *command], cwd=BASE_DIR, env=env, check=True, timeout=300)
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "newsroom/gunicorn.conf.py", "newsroom.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail(f"gunicorn did not answer: {server.stderr.read().decode()[-2000:]}")
    yield base
    server.terminate()
    server.wait(timeout=30)


def test_production_healthz_answers_json(production_server):
    status, headers, body = get(f"{production_server}/healthz")

    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert body == b'{"status": "ok", "database": "ok"}'


def test_production_home_page_links_hashed_static_files(production_server):
    status, _, body = get(f"{production_server}/")
    html = body.decode()

    assert status == 200
    assert '<html lang="ar" dir="rtl"' in html
    css = html.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert css.startswith("/static/css/site.") and css.endswith(".css")
    assert css != "/static/css/site.css"


def test_production_static_files_are_cached_for_a_year(production_server):
    _, _, body = get(f"{production_server}/")
    css = body.decode().split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]

    status, headers, stylesheet = get(f"{production_server}{css}")

    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    font = stylesheet.decode().split('url("../fonts/amiri-regular.', 1)[1].split('"', 1)[0]
    font_status, font_headers, _ = get(f"{production_server}/static/fonts/amiri-regular.{font}")
    assert (font_status, font_headers["Cache-Control"]) == (
        200,
        "max-age=315360000, public, immutable",
    )


def test_production_unknown_page_is_a_plain_404(production_server):
    status, _, body = get(f"{production_server}/sources/no-such-source/")

    assert status == 404
    assert "الصفحة غير موجودة" in body.decode()
