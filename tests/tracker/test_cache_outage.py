"""The shared cache (CACHE_URL on Redis) goes away: every page, the API and the admin are served
uncached, /healthz says "degraded", login throttling and export slots still hold, and a review
decision made during the outage is not undone by stale entries once Redis is back (issue 26).

Each test starts a Redis of its own on a free port and stops it (SIGKILL for a crash, SIGSTOP for
a host that stopped answering); the shared Redis is never touched.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from deals.models import DealParty, GovernmentBody, GovernmentInvolvement, Programme, ReviewStatus
from deals.selectors import public_version
from deals.services import deal_reject
from tests.deals.test_gunicorn import documented_command, request, wait_until_up
from tests.deals.test_views import make_deal
from tracker.settings import cache_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a stopped process must wake to die
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def own_redis():
    server = OwnRedis()
    try:
        with override_settings(CACHE_URL=server.url, CACHES=cache_settings(server.url), HEALTHZ_CACHE_SECONDS=0):
            yield server
    finally:
        server.kill()


def test_the_cache_on_redis_is_the_fail_open_backend(own_redis):
    cache.set("probe", 1)
    assert cache.get("probe") == 1
    assert redis.Redis.from_url(own_redis.url).dbsize() == 1  # really on the Redis we started


@pytest.mark.django_db
def test_every_public_page_the_api_and_the_admin_answer_200_with_the_cache_killed(own_redis, client):
    deal = make_deal("Invented Cacheless Optics")
    company = DealParty.objects.get(deal=deal).company
    body = GovernmentBody.objects.create(name="Invented Cacheless Province", country="KR")
    programme = Programme.objects.create(name="Invented Cacheless Programme", body=body)
    GovernmentInvolvement.objects.create(deal=deal, body=body, programme=programme, role="broker")
    staff = User.objects.create_superuser("desk", password="pw-for-test-only")
    pages = ["/deals/", f"/deals/{deal.pk}/", "/stats/", "/deals/?export=csv", "/api/deals/", f"/api/deals/{deal.pk}/",
             "/deals/feed/", f"/companies/{company.pk}/", f"/programmes/{programme.pk}/", f"/api/companies/{company.pk}/",
             f"/api/programmes/{programme.pk}/", "/stats/chart.csv?chart=funnel", "/api/schema/"]  # fmt: skip
    for url in pages:
        assert client.get(url).status_code == 200, url  # warm: entries now in the Redis we kill
    own_redis.kill()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Invented Cacheless Optics" in body or url.startswith(("/stats/", "/api/schema/")), url
    client.force_login(staff)
    for url in [
        "/admin/",
        "/admin/deals/deal/",
        "/admin/deals/deal/?party_country=KR",
        f"/admin/deals/deal/{deal.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    assert cache.available() is False  # the circuit is open: further calls do not wait on Redis


@pytest.mark.django_db
def test_healthz_says_degraded_with_200_when_the_cache_is_down(own_redis, client):
    assert client.get("/healthz").json()["cache"] == "ok"
    own_redis.kill()
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded" and report["cache"].startswith("down")
    assert report["database"] == "ok"


@pytest.mark.django_db
def test_login_throttling_still_locks_out_with_the_cache_down(own_redis, client):
    own_redis.kill()
    User.objects.create_superuser("root", password="the right password")
    login = reverse("admin:login")
    answers = [client.post(login, {"username": "root", "password": "wrong"}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the login page again, then the lockout
    assert client.post(login, {"username": "root", "password": "the right password"}).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_export_slots_still_bound_a_client_with_the_cache_down(own_redis, client, settings):
    settings.EXPORTS_PER_CLIENT = 1
    make_deal("Invented Exported Deal")
    own_redis.kill()
    first = client.get("/deals/", {"export": "csv"})  # its stream not yet read: the slot is held
    assert first.status_code == 200 and first.streaming
    assert client.get("/deals/", {"export": "csv"}).status_code == 429
    assert b"Invented Exported Deal" in b"".join(first.streaming_content)
    first.close()
    third = client.get("/deals/", {"export": "csv"})
    assert third.status_code == 200  # given back when the stream ended
    third.close()  # and by a client that went away mid-stream
    fourth = client.get("/deals/", {"export": "csv"})
    assert fourth.status_code == 200
    fourth.close()


@pytest.mark.django_db
def test_a_decision_made_while_redis_hung_is_not_undone_by_its_old_entries(
    own_redis, client, django_capture_on_commit_callbacks
):
    deal = make_deal("Invented Rejected Later")
    make_deal("Invented Still Approved", day=2)
    before = public_version()
    assert b"2 deals" in client.get("/stats/").content  # cached under the current stamp
    backend = caches["default"]
    backend.RETRY_SECONDS = 0.2
    own_redis.proc.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing: timeouts
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deal_reject(deal=deal, user=None, reason="not a deal")  # its invalidation cannot reach Redis
        assert backend.available() is False
    finally:
        own_redis.proc.send_signal(signal.SIGCONT)
    time.sleep(0.3)
    assert b"1 deal" in client.get("/stats/").content  # not the "2 deals" still stored in Redis
    assert public_version() != before
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.REJECTED


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_the_public_site_with_its_cache_redis_killed(settings):
    if not settings.IS_POSTGRES:
        pytest.skip("the server process needs the test database on PostgreSQL")
    deal = make_deal("Invented Served Uncached")
    server = OwnRedis()
    db = settings.DATABASES["default"]
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1", "CACHE_URL": server.url,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}  # fmt: skip
    env.update({k: os.environ[k] for k in ("LANG",) if k in os.environ})
    connection.close()
    command = documented_command(port)
    command[command.index("-w") + 1] = "1"  # one worker process is enough here, and the machine is shared
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    pages = ["/deals/", f"/deals/{deal.pk}/", "/stats/", "/deals/?export=csv", "/api/deals/"]
    try:
        wait_until_up(port)
        for url in pages:
            assert request(port, url, timeout=30).split()[1] == b"200", url
        server.kill()
        for url in pages:
            answer = request(port, url, timeout=30)
            assert answer.split()[1] == b"200", (url, answer[:300])
            assert b"Invented Served Uncached" in answer or b"1 deal" in answer, url
        time.sleep(2.1)  # past the health check's memo
        answer = request(port, "/healthz", timeout=5)
        assert answer.split()[1] == b"200" and b'"degraded"' in answer, answer
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        server.kill()
