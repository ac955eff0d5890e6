"""SSRF edges and failing feeds (issue 26): cloud metadata addresses that count as global are
refused, even for an allowed host; an allowed private host is allowed on its one port; a feed that
cannot be fetched backs off exponentially, with the reason in the admin."""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from sources.fetch import FetchError, _check, allowed_private, fetch
from sources.models import Source
from sources.services import feed_backoff, feed_poll, feeds_due

METADATA = [
    "192.0.0.192",
    "168.63.129.16",
    "169.254.169.254",
    "fd00:ec2::254",
    "100.100.100.200",
    "169.254.170.2",
    "::ffff:192.0.0.192",
    "64:ff9b::a83f:8110",
]  # fmt: skip  (the last: NAT64 of 168.63.129.16)


@pytest.mark.parametrize("address", METADATA)
def test_a_cloud_metadata_address_is_refused(address):
    with pytest.raises(FetchError, match="cloud metadata"):
        _check("meta.example", [address], 80)


@pytest.mark.parametrize("address", METADATA)
def test_a_cloud_metadata_address_is_refused_even_for_an_allowed_host(address):
    with override_settings(FETCH_ALLOWED_PRIVATE_HOSTS=["meta.example", "meta.example:80"]):
        with pytest.raises(FetchError, match="cloud metadata"):
            _check("meta.example", [address], 80)


@pytest.mark.parametrize("url", ["http://192.0.0.192/opc/v2/instance/", "http://168.63.129.16/machine?comp=goalstate",
                                 "http://[fd00:ec2::254]/latest/meta-data/"])  # fmt: skip
def test_fetching_a_metadata_url_is_refused_before_connecting(url):
    with pytest.raises(FetchError, match="refused"):
        fetch(url)


def test_allow_list_entries_are_host_and_port():
    assert allowed_private(["feeds.internal:8080", "[fd12::1]:9000", "wiki.internal"]) == {
        ("feeds.internal", 8080), ("fd12::1", 9000), ("wiki.internal", 80), ("wiki.internal", 443)
    }  # fmt: skip


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def two_servers():
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Ok) for _ in range(2)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield [httpd.server_address[1] for httpd in servers]
    for httpd in servers:
        httpd.shutdown()


def test_an_allowed_private_host_is_allowed_on_its_port_only(two_servers):
    allowed, other = two_servers
    with override_settings(FETCH_ALLOWED_PRIVATE_HOSTS=[f"127.0.0.1:{allowed}"]):
        assert fetch(f"http://127.0.0.1:{allowed}/feed.xml", accept_feeds=True).body.startswith(b"<?xml")
        with pytest.raises(FetchError, match="private or reserved"):
            fetch(f"http://127.0.0.1:{other}/feed.xml", accept_feeds=True)
    with override_settings(FETCH_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"]):  # a bare host: ports 80 and 443 only
        with pytest.raises(FetchError, match="private or reserved"):
            fetch(f"http://127.0.0.1:{allowed}/feed.xml", accept_feeds=True)


@pytest.mark.django_db
def test_a_refused_feed_backs_off_exponentially_and_says_why(client):
    source = Source.objects.create(name="Refused", feed_url="http://192.0.0.192/feed.xml", poll_interval_minutes=30)
    assert source.pk in feeds_due()
    waits = []
    for attempt in range(1, 5):
        started = timezone.now()
        feed_poll(source_id=source.pk)
        source.refresh_from_db()
        assert source.failures == attempt and "cloud metadata" in source.last_error
        assert source.pk not in feeds_due()  # not every minute any more
        waits.append(round((source.retry_after - started) / dt.timedelta(minutes=1)))
    assert waits == [60, 120, 240, 480]
    assert feed_backoff(interval_minutes=30, failures=40) == dt.timedelta(days=1)
    Source.objects.filter(pk=source.pk).update(retry_after=timezone.now() - dt.timedelta(seconds=1))
    assert source.pk in feeds_due()  # its wait is over
    client.force_login(User.objects.create_superuser("desk", password="pw-for-test-only"))
    listing = client.get("/admin/sources/source/").content.decode()
    assert "cloud metadata" in listing and "Refused" in listing


@pytest.mark.django_db
def test_a_feed_that_answers_again_is_polled_on_its_interval(two_servers):
    port = two_servers[0]
    source = Source.objects.create(name="Back", feed_url=f"http://127.0.0.1:{port}/feed.xml", failures=3,
                                   retry_after=timezone.now() - dt.timedelta(minutes=1))  # fmt: skip
    with override_settings(FETCH_ALLOWED_PRIVATE_HOSTS=[f"127.0.0.1:{port}"]):
        assert feed_poll(source_id=source.pk) == (0, 0)
    source.refresh_from_db()
    assert source.failures == 0 and source.retry_after is None and source.last_error == ""


@pytest.mark.django_db
def test_editing_a_failing_feeds_url_in_the_admin_tries_it_at_once(client):
    source = Source.objects.create(name="Moved", feed_url="http://192.0.0.192/feed.xml", failures=6,
                                   retry_after=timezone.now() + dt.timedelta(hours=20))  # fmt: skip
    client.force_login(User.objects.create_superuser("desk", password="pw-for-test-only"))
    form = {"name": "Moved", "publisher": "", "feed_url": "https://feeds.example.org/rss", "poll_interval_minutes": 60,
            "active": "on"}  # fmt: skip
    assert client.post(f"/admin/sources/source/{source.pk}/change/", form).status_code == 302
    source.refresh_from_db()
    assert source.failures == 0 and source.retry_after is None and source.pk in feeds_due()
