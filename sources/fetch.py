"""Fetching URLs safely: only http(s), no private or metadata addresses, bounded in time and size.

The host is resolved once, every address is checked, and the connection goes to the checked
address (so DNS cannot answer differently a moment later). Every redirect hop is checked again.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings


class FetchError(Exception):
    """A URL could not be fetched; the message says why in words a user understands."""


@dataclass
class Fetched:
    url: str
    body: bytes
    content_type: str


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def _check(host: str, addresses: list[str]) -> None:
    allowed = set(getattr(settings, "FETCH_ALLOWED_PRIVATE_HOSTS", []))
    if host in allowed:
        return
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(f"refused: {host} resolves to a private or reserved address ({ip})")


def fetch(url: str, *, max_bytes: int | None = None, accept_feeds: bool = False) -> Fetched:
    """GET a page or feed, following at most FETCH_MAX_REDIRECTS checked redirects."""
    max_bytes = max_bytes or settings.ARTICLE_MAX_BYTES
    timeout = urllib3.Timeout(connect=settings.FETCH_TIMEOUT_SECONDS, read=settings.FETCH_TIMEOUT_SECONDS)
    for _ in range(settings.FETCH_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refused: only http and https URLs can be fetched ({url[:100]})")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _addresses(host, port)
        _check(host, addresses)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"Host": parts.netloc, "User-Agent": "deal-tracker/1.0 (+ingestion)", "Accept": "*/*"}
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                addresses[0], port, server_hostname=host, assert_hostname=host, timeout=timeout, retries=False
            )
        else:
            pool = urllib3.HTTPConnectionPool(addresses[0], port, timeout=timeout, retries=False)
        try:
            resp = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"cannot reach {host}: {exc}") from exc
        try:
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError(f"redirect without a Location from {url}")
                url = urljoin(url, location)
                continue
            if resp.status >= 400:
                raise FetchError(f"{url} answered HTTP {resp.status}")
            ctype = resp.headers.get("Content-Type", "")
            kind = ctype.split(";")[0].strip().lower()
            ok = {"text/html", "text/plain", "application/xhtml+xml", ""}
            if accept_feeds:
                ok |= {
                    "application/rss+xml",
                    "application/atom+xml",
                    "application/xml",
                    "text/xml",
                    "application/rdf+xml",
                }
            if kind not in ok:
                raise FetchError(f"refused: {url} is {kind}, not an article page")
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"refused: {url} is {int(declared):,} bytes (limit {max_bytes:,})")
            body = b""
            for chunk in resp.stream(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"refused: {url} is larger than the limit of {max_bytes:,} bytes")
            return Fetched(url=url, body=body, content_type=ctype)
        finally:
            resp.release_conn()
    raise FetchError(f"too many redirects (more than {settings.FETCH_MAX_REDIRECTS}) from {url}")
