"""URL and feed ingestion against a local HTTP server on 127.0.0.1."""

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from sources.fetch import FetchError, embedded_ipv4, fetch
from sources.models import Article, ArticleStatus, Source
from sources.services import article_receive_url, feed_poll

KO_PAGE = (
    '<html><head><meta charset="euc-kr"><title>투자 협약</title></head><body><article><h1>똠방 기업, 투자 협약</h1>'
    "<p>㈜똠방전자(대표 김철수)는 독일의 기계기업인 베르크만(Bergmann GmbH)과 2천만 유로 규모의 투자협약을 체결했다고 밝혔다. "
    "양사는 공장을 함께 짓는다.</p></article></body></html>"
).encode("cp949")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        port = self.server.server_address[1]
        routes = {
            "/ko.html": (200, "text/html", KO_PAGE),
            "/feed.xml": (200, "application/rss+xml", (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f"<item><title>a</title><link>http://127.0.0.1:{port}/ko.html</link></item>"
                f"<item><title>b</title><link>http://127.0.0.1:{port}/missing.html</link></item></channel></rss>"
            ).encode()),
            "/broken.xml": (200, "application/rss+xml", b"<rss><channel><item><title>oops</title"),
            "/image.png": (200, "image/png", b"\x89PNG...."),
            "/big.html": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
        }  # fmt: skip
        if self.path == "/slow.html":  # a byte every 0.3 s: each read is quick, the whole is not
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.3)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        status, ctype, body = routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def allow_server(server):
    """The test server's one port on loopback, as an operator would allow an internal feed."""
    with override_settings(FETCH_ALLOWED_PRIVATE_HOSTS=[server.removeprefix("http://")]):
        yield


def test_loopback_addresses_are_refused_by_default(server):
    with pytest.raises(FetchError, match="private or reserved"):
        fetch(f"{server}/ko.html")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "http://169.254.169.254/latest/"])
def test_other_schemes_and_metadata_addresses_are_refused(url):
    with pytest.raises(FetchError, match="refused"):
        fetch(url)


@pytest.mark.usefixtures("allow_server")
def test_a_redirect_to_a_metadata_address_is_refused(server):
    with pytest.raises(FetchError, match="cloud metadata"):
        fetch(f"{server}/redirect")


@pytest.mark.usefixtures("allow_server")
def test_non_article_content_types_are_refused(server):
    with pytest.raises(FetchError, match="image/png"):
        fetch(f"{server}/image.png")


@pytest.mark.usefixtures("allow_server")
@override_settings(ARTICLE_MAX_BYTES=1000)
def test_pages_over_the_size_limit_are_refused(server):
    with pytest.raises(FetchError, match="limit"):
        fetch(f"{server}/big.html")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_process_tasks")
@pytest.mark.usefixtures("allow_server")
def test_an_euc_kr_page_by_url_becomes_a_draft(server):
    received = article_receive_url(url=f"{server}/ko.html")
    article = Article.objects.get(pk=received.article.pk)
    assert article.status == ArticleStatus.EXTRACTED, article.last_error
    assert "똠방전자" in article.text
    assert article.deal_sources.count() == 1
    assert not article_receive_url(url=f"{server}/ko.html").created


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_process_tasks")
@pytest.mark.usefixtures("allow_server")
def test_a_feed_poll_stores_each_entry_and_records_unreachable_ones(server):
    source = Source.objects.create(name="Local", feed_url=f"{server}/feed.xml")
    assert feed_poll(source_id=source.pk) == (2, 0)
    missing = Article.objects.get(url=f"{server}/missing.html")
    assert missing.status == ArticleStatus.FAILED and "404" in missing.last_error
    assert feed_poll(source_id=source.pk) == (0, 2)
    source.refresh_from_db()
    assert source.last_polled_at and source.polling_since is None


@pytest.mark.django_db
@pytest.mark.usefixtures("allow_server")
def test_a_broken_feed_is_recorded_on_the_source(server):
    source = Source.objects.create(name="Broken", feed_url=f"{server}/broken.xml")
    assert feed_poll(source_id=source.pk) == (0, 0)
    source.refresh_from_db()
    assert "broken feed" in source.last_error


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
        "::a9fe:a9fe",  # IPv4-compatible
        "::ffff:10.0.0.1",  # IPv4-mapped
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    ],
)
def test_every_ipv6_form_of_a_private_ipv4_address_is_refused(address):
    from sources.fetch import _check

    inner = embedded_ipv4(ipaddress.ip_address(address))
    assert inner is not None and not inner.is_global
    with pytest.raises(FetchError, match="private or reserved|cloud metadata"):
        _check("evil.example", [address])


def test_an_ipv6_form_of_a_public_ipv4_address_is_allowed():
    from sources.fetch import _check

    _check("ok.example", ["64:ff9b::808:808"])  # NAT64 of 8.8.8.8


def test_credentials_in_a_url_are_refused_not_sent():
    with pytest.raises(FetchError, match="user name or password"):
        fetch("http://user:secret@example.org/page.html")


@pytest.mark.usefixtures("allow_server")
@override_settings(FETCH_TIMEOUT_SECONDS=2)
def test_a_page_that_trickles_a_byte_at_a_time_hits_the_overall_deadline(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="too slow"):
        fetch(f"{server}/slow.html")
    assert time.monotonic() - started < 8
