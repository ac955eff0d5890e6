"""Fetching URLs safely: only http(s), no private or metadata addresses, bounded in time and size.

The host is resolved once, every address is checked, and the connection goes to the checked
address (so DNS cannot answer differently a moment later). Every redirect hop is checked again.
"""

import ipaddress
import socket
import time
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


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address maps or embeds: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d), 6to4 (2002:AABB:CCDD::), Teredo (2001:0::, client address inverted), NAT64
    (64:ff9b::a.b.c.d). ``is_global`` passes some of these while they reach a private network."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    packed = ip.packed
    if any(ip in net for net in _NAT64) or (packed[:12] == bytes(12) and packed[12:] != bytes(4)):
        return ipaddress.IPv4Address(packed[12:])
    return None


# Cloud metadata and platform endpoints: refused always, even for a host in
# FETCH_ALLOWED_PRIVATE_HOSTS. Some count as global addresses (``is_global``), so the general
# check alone let them through (issue 26): Oracle Cloud's 192.0.0.192, Azure's wire server
# 168.63.129.16. The others are private anyway, listed so the refusal says what they are.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack, DigitalOcean instance metadata
        "169.254.170.2/32",  # AWS ECS task metadata and credentials
        "169.254.169.253/32",  # AWS VPC DNS
        "169.254.169.123/32",  # AWS time sync
        "fd00:ec2::254/128",  # AWS instance metadata over IPv6
        "fd00:ec2::253/128",  # AWS VPC DNS over IPv6
        "192.0.0.192/32",  # Oracle Cloud instance metadata
        "168.63.129.16/32",  # Azure wire server (platform agent, DNS, health)
        "100.100.100.200/32",  # Alibaba Cloud instance metadata
        "169.254.0.0/16",  # the rest of IPv4 link-local
        "fe80::/10",  # IPv6 link-local
    )
)


def _metadata(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    inner = embedded_ipv4(ip)
    return any(ip in net for net in METADATA_NETWORKS if net.version == ip.version) or (
        inner is not None and any(inner in net for net in METADATA_NETWORKS if net.version == 4)
    )


def allowed_private(entries: list[str]) -> set[tuple[str, int]]:
    """``FETCH_ALLOWED_PRIVATE_HOSTS`` as (host, port) pairs: ``host:port`` (``[v6]:port``) allows
    that one port; a bare ``host`` only the web ports 80 and 443 (a bare host used to allow every
    port: Redis, PostgreSQL and admin consoles on an allowed address were fetchable)."""
    pairs: set[tuple[str, int]] = set()
    for entry in entries:
        entry = entry.strip().lower()
        if entry.startswith("["):
            host, _, port = entry[1:].partition("]:")
        elif entry.count(":") == 1:
            host, _, port = entry.partition(":")
        else:
            host, port = entry, ""
        if not port:
            pairs |= {(host, 80), (host, 443)}
        elif port.isdigit() and 0 < int(port) < 65536:
            pairs.add((host, int(port)))
    return pairs


def _check(host: str, addresses: list[str], port: int = 443) -> None:
    ips = [ipaddress.ip_address(addr.split("%")[0]) for addr in addresses]
    for ip in ips:
        if _metadata(ip):
            raise FetchError(f"refused: {host} resolves to a cloud metadata or link-local address ({ip})")
    if (host.lower(), port) in allowed_private(getattr(settings, "FETCH_ALLOWED_PRIVATE_HOSTS", [])):
        return
    for ip in ips:
        inner = embedded_ipv4(ip)
        if not ip.is_global or ip.is_multicast or (inner is not None and (not inner.is_global or inner.is_multicast)):
            raise FetchError(f"refused: {host} resolves to a private or reserved address ({ip})")


def fetch(url: str, *, max_bytes: int | None = None, accept_feeds: bool = False,
          accept_types: tuple[str, ...] = ()) -> Fetched:  # fmt: skip
    """GET a page or feed (or a file of one of ``accept_types``), following at most
    FETCH_MAX_REDIRECTS checked redirects."""
    max_bytes = max_bytes or settings.ARTICLE_MAX_BYTES
    timeout = urllib3.Timeout(connect=settings.FETCH_TIMEOUT_SECONDS, read=settings.FETCH_TIMEOUT_SECONDS)
    # One deadline for the whole fetch: the read timeout alone lets a page that sends a byte a
    # second hold a worker indefinitely.
    deadline = time.monotonic() + settings.FETCH_TIMEOUT_SECONDS * 2
    for _ in range(settings.FETCH_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refused: only http and https URLs can be fetched ({url[:100]})")
        if parts.username is not None or parts.password is not None:
            raise FetchError("refused: URLs with a user name or password are not fetched")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _addresses(host, port)
        _check(host, addresses, port)
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
            ok |= set(accept_types)
            if kind not in ok:
                raise FetchError(f"refused: {url} is {kind}, not an article page")
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"refused: {url} is {int(declared):,} bytes (limit {max_bytes:,})")
            chunks, size = [], 0
            # read1: one socket read at a time, so the deadline is checked as bytes trickle in.
            while chunk := resp.read1(16 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"refused: {url} is larger than the limit of {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"too slow: {url} took longer than {settings.FETCH_TIMEOUT_SECONDS * 2} s")
            return Fetched(url=url, body=b"".join(chunks), content_type=ctype)
        finally:
            resp.release_conn()
    raise FetchError(f"too many redirects (more than {settings.FETCH_MAX_REDIRECTS}) from {url}")
