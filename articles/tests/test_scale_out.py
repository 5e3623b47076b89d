"""Scale-out on PostgreSQL and Redis: two gunicorn instances and two RQ workers.

Both instances and both workers share one database (the test database) and one
Redis. An article edited through one instance must be shown changed by the
other at once, and translations queued through both instances must each be
done exactly once. Skipped unless the tests run on PostgreSQL and Redis
answers at 127.0.0.1:6379.
"""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from rq.job import Job
from rq.registry import FinishedJobRegistry
from rq.results import Result

from articles.models import Article

from .engine_servers import Answer, LibreTranslateServer
from .factories import ArticleBlockFactory, ArticleFactory

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/13"
ADMIN_PASSWORD = "scale-out-admin-password-1234"


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the scale-out test needs PostgreSQL (set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    """An anonymous reader's GET: no cookies, so the page cache applies."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def tail(path: Path, size: int = 3000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else "(no log)"


class SlowLibreTranslate(LibreTranslateServer):
    """The fake LibreTranslate, a little slow, so that both workers get jobs to do."""

    def answer(self, request):
        answer = super().answer(request)
        return Answer(answer.status, answer.body, answer.headers, delay=0.3)


@pytest.fixture(scope="module")
def redis_connection():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture(scope="module")
def fake_libretranslate():
    server = SlowLibreTranslate().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cluster_env(tmp_path_factory, fake_libretranslate):
    """The environment every instance and worker shares; collectstatic run once."""
    workdir = tmp_path_factory.mktemp("scale_out")
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "scale-out-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database['NAME']}",
        "REDIS_URL": REDIS_URL,
        "NEWSROOM_PAGE_CACHE_SECONDS": "300",
        # No view-count writes in the middle of a test; workers flush on exit.
        "NEWSROOM_VIEW_FLUSH_SECONDS": "3600",
        "MT_ENGINE": "libretranslate",
        "MT_LIBRETRANSLATE_URL": fake_libretranslate.url,
        "MT_LIBRETRANSLATE_API_KEY": "",
        # Only the admin action queues translations here, never an edit.
        "MT_AUTO_TRANSLATE": "0",
        "GUNICORN_WORKERS": "2",
    }
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return workdir, env


def start_gunicorn(workdir: Path, env: dict, name: str) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = workdir / f"{name}.log"
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "newsroom/gunicorn.conf.py", "newsroom.wsgi"],
        cwd=BASE_DIR,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESSLOG": str(workdir / f"{name}.access.log"),
        },
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    return server, f"http://127.0.0.1:{port}", log


@pytest.fixture(scope="module")
def instances(cluster_env):
    """Two gunicorn instances, A and B, on different ports."""
    workdir, env = cluster_env
    started = []
    try:
        for name in ("a", "b"):
            started.append(start_gunicorn(workdir, env, name))
        for server, base, log in started:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn {base} exited: {tail(log)}")
                try:
                    if get(f"{base}/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                pytest.fail(f"gunicorn {base} did not answer /healthz: {tail(log)}")
        yield [(base, log) for _, base, log in started]
    finally:
        for server, _, _ in started:
            server.terminate()
        for server, _, _ in started:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture
def clean_redis(redis_connection, fake_libretranslate):
    redis_connection.flushdb()
    fake_libretranslate.requests.clear()
    yield redis_connection
    redis_connection.flushdb()


@pytest.fixture
def admin_user(db, settings):
    # The instances run the base settings, which do not know the tests' MD5 hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return get_user_model().objects.create_superuser(
        "scale-admin", "scale-admin@newsroom.example", ADMIN_PASSWORD
    )


class AdminSession:
    """An editor's browser on one instance: cookies, CSRF token, forms."""

    def __init__(self, base: str, log: Path):
        self.base = base
        self.log = log
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[str, str]:
        """GET (or POST `data`, form-encoded) and follow redirects: (final URL, HTML)."""
        url = f"{self.base}{path}"
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            pytest.fail(
                f"{'POST' if data is not None else 'GET'} {url} answered {error.code}:\n"
                f"{error.read().decode(errors='replace')[-2000:]}\n{tail(self.log)}"
            )

    def form(self, path: str, form_id: str | None = None):
        _, html = self.request(path)
        document = lxml.html.fromstring(html)
        forms = document.forms if form_id is None else document.xpath(f'//form[@id="{form_id}"]')
        assert forms, f"no form on {path}:\n{html[-2000:]}"
        return forms[0]

    def login(self, username: str, password: str) -> None:
        form = self.form("/admin/login/?next=/admin/", "login-form")
        values = dict(form_values(form))
        values.update(username=username, password=password)
        url, html = self.request("/admin/login/?next=/admin/", list(values.items()))
        assert urllib.parse.urlsplit(url).path == "/admin/", f"login failed:\n{html[-2000:]}"


def form_values(form) -> list[tuple[str, str]]:
    """What a browser submits for `form`: checked boxes only, every selected option, no buttons."""
    values = []
    for element in form.inputs:
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if element.checked:
                    values.append((name, element.get("value") or "on"))
                continue
            values.append((name, element.get("value") or ""))
        elif element.tag == "select":
            selected = element.value
            if element.multiple:
                values.extend((name, value) for value in selected)
            elif selected is not None:
                values.append((name, selected))
        elif element.tag == "textarea":
            values.append((name, (element.value or "").strip()))
    return values


@pytest.mark.django_db(transaction=True)
def test_an_edit_through_one_instance_is_shown_at_once_by_the_other(
    instances, clean_redis, admin_user
):
    (base_a, log_a), (base_b, log_b) = instances
    article = ArticleFactory(title_ar="عنوان قديم للمقال")
    ArticleBlockFactory(article=article, position=1, text_ar="نص المقال الأول.")
    path = article.get_absolute_url()

    for base, log in ((base_a, log_a), (base_b, log_b)):
        status, body = get(f"{base}{path}")
        assert status == 200, tail(log)
        assert "عنوان قديم للمقال" in body.decode()
    page_keys = set(clean_redis.keys(":1:page:*"))
    assert len(page_keys) == 2  # one cached page per instance (the host is in the key)

    # A change the cache is not told about stays unseen: both pages come from Redis.
    Article.objects.filter(pk=article.pk).update(title_ar="تغيير لا يعرفه المخزن")
    for base in (base_a, base_b):
        assert "عنوان قديم للمقال" in get(f"{base}{path}")[1].decode()
    assert set(clean_redis.keys(":1:page:*")) == page_keys
    Article.objects.filter(pk=article.pk).update(title_ar="عنوان قديم للمقال")

    # An editor changes the title through instance A's admin...
    editor = AdminSession(base_a, log_a)
    editor.login("scale-admin", ADMIN_PASSWORD)
    change = f"/admin/articles/article/{article.pk}/change/"
    form = editor.form(change, "article_form")
    values = [(name, value) for name, value in form_values(form) if name != "title_ar"]
    values.append(("title_ar", "عنوان جديد بعد التحرير"))
    url, html = editor.request(change, values)
    assert urllib.parse.urlsplit(url).path == "/admin/articles/article/", (
        f"the admin did not save:\n{html[-3000:]}"
    )
    article.refresh_from_db()
    assert article.title_ar == "عنوان جديد بعد التحرير"

    # ...and instance B shows the new title at once.
    status, body = get(f"{base_b}{path}")
    assert status == 200, tail(log_b)
    assert "عنوان جديد بعد التحرير" in body.decode()
    assert "عنوان قديم للمقال" not in body.decode()
    assert "عنوان جديد بعد التحرير" in get(f"{base_a}{path}")[1].decode()


def run_workers(env: dict, workdir: Path, count: int) -> list[str]:
    """Run `count` burst RQ workers side by side until the queue is empty; their names."""
    names = [f"scale-out-worker-{number}" for number in range(1, count + 1)]
    workers = []
    try:
        for name in names:
            log = workdir / f"{name}.log"
            process = subprocess.Popen(
                [
                    str(VENV_BIN / "python"),
                    "manage.py",
                    "rqworker",
                    "default",
                    "--burst",
                    "--job-class",
                    "django_tasks_rq.Job",
                    "--name",
                    name,
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            workers.append((process, log))
        for process, log in workers:
            try:
                returncode = process.wait(timeout=180)
            except subprocess.TimeoutExpired:
                pytest.fail(f"an RQ worker did not finish in time: {tail(log)}")
            assert returncode == 0, f"an RQ worker failed ({returncode}): {tail(log)}"
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    return names


@pytest.mark.django_db(transaction=True)
def test_translations_queued_through_both_instances_are_each_done_once(
    instances, cluster_env, clean_redis, admin_user, fake_libretranslate
):
    workdir, env = cluster_env
    articles = []
    for number in range(8):
        article = ArticleFactory(title_ar=f"خبر رقم {number} عن المدينة")
        ArticleBlockFactory(article=article, position=1, text_ar=f"فقرة الخبر رقم {number}.")
        articles.append(article)
    halves = {instances[0]: articles[:4], instances[1]: articles[4:]}

    for (base, log), chosen in halves.items():
        editor = AdminSession(base, log)
        editor.login("scale-admin", ADMIN_PASSWORD)
        form = editor.form("/admin/articles/article/", "changelist-form")
        token = dict(form_values(form))["csrfmiddlewaretoken"]
        editor.request(
            "/admin/articles/article/",
            [
                ("csrfmiddlewaretoken", token),
                ("action", "translate"),
                ("index", "0"),
                ("select_across", "0"),
                *(("_selected_action", str(article.pk)) for article in chosen),
            ],
        )
    # Every chosen article is marked queued: both instances queued their half.
    states = set(
        Article.objects.filter(pk__in=[a.pk for a in articles]).values_list(
            "translation_state", flat=True
        )
    )
    assert states == {Article.TranslationState.QUEUED}

    worker_names = run_workers(env, workdir, 2)

    for article in articles:
        article.refresh_from_db()
        assert article.translation_state == Article.TranslationState.MACHINE, (
            article.pk,
            article.translation_state,
            article.translation_error,
        )
        assert article.title_en.startswith("EN: ")
    assert not fake_libretranslate.errors
    segments = Counter(
        segment
        for request in fake_libretranslate.requests_to("/translate")
        for segment in request.json["q"]
    )
    for article in articles:
        block = article.blocks.get()
        assert segments[article.title_ar] == 1, segments
        assert segments[block.text_ar] == 1, segments

    registry = FinishedJobRegistry("default", connection=clean_redis, job_class=Job)
    job_ids = registry.get_job_ids()
    assert len(job_ids) == len(articles)
    done_by = Counter()
    for job_id in job_ids:
        job = Job.fetch(job_id, connection=clean_redis)
        results = job.results()
        assert [result.type for result in results] == [Result.Type.SUCCESSFUL]
        done_by[results[0].worker_name] += 1
    assert sum(done_by.values()) == len(articles)
    # Which worker takes which job is up to timing: only that every job was done
    # once, by one of the two, is asserted.
    assert set(done_by) <= set(worker_names)
