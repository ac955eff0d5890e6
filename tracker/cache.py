"""The shared cache, failing open: with Redis down every page is served uncached, never a 500.

Django's ``RedisCache`` raises on every call when Redis is unreachable, and the listing, /stats/,
the export, the API's throttle and the admin's home all read the cache: one stopped Redis took the
whole public site down (issue 26). Here every operation that cannot reach Redis behaves as a miss:
``get`` returns the default, ``set``/``delete`` do nothing, ``add`` says it stored nothing,
``incr``/``decr`` raise ``ValueError`` as for a missing key (what callers already handle).

A dead Redis must cost milliseconds, not seconds: short socket timeouts, no client retries, and
after one failure the process stops asking Redis for ``RETRY_SECONDS`` (a listing reads the cache
eight times; a firewalled Redis would otherwise cost eight connect timeouts per page). The outage
is logged once per ``LOG_SECONDS`` per process, not once per call.

A delete or write that was lost may have been a review decision's invalidation: once Redis answers
again, a process that lost one clears the cache database (``CACHE_URL`` is a database of its own),
so nothing cached before the decision outlives it.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger("tracker.cache")

# What a Redis that is down, firewalled, restarting, out of memory, or not Redis at all raises
# through redis-py: a cache must never be the reason a page fails, whatever went wrong with it.
OUTAGE = (redis.RedisError, OSError)

DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "retry_on_timeout": False}


class FailOpenRedisCache(RedisCache):
    RETRY_SECONDS = 5.0
    LOG_SECONDS = 60.0

    def __init__(self, server, params):
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        # redis-py retries a failed command three times by default; here a failure is a miss.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._logged_at = -self.LOG_SECONDS
        self._lost_write = False
        self.outage_reason = ""

    # -- the circuit -------------------------------------------------------------------------

    def available(self) -> bool:
        """False while this process believes Redis is down (for callers that bound work otherwise)."""
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception, *, write: bool) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.RETRY_SECONDS
            self._lost_write = self._lost_write or write
            self.outage_reason = f"{type(exc).__name__}: {exc}"[:200]
            log = now - self._logged_at >= self.LOG_SECONDS
            if log:
                self._logged_at = now
        if log:
            logger.warning("cache unavailable, serving uncached for now: %s", self.outage_reason)

    def _call(self, write: bool, miss, method, *args, **kwargs):
        if not self.available():
            if write:
                self._lost_write = True
            return miss()
        try:
            if self._lost_write:
                self._recover()
            result = method(*args, **kwargs)
        except OUTAGE as exc:
            self._failed(exc, write=write)
            return miss()
        self.outage_reason = ""
        return result

    def _recover(self) -> None:
        # Raises OUTAGE while Redis is still away, which the caller treats as this call failing.
        super().clear()
        with self._lock:
            self._lost_write = False
        logger.warning("cache reachable again; cleared it, since invalidations were lost while it was down")

    def ping(self) -> None:
        """Ask Redis directly, past the circuit (``/healthz``); raises what redis-py raises."""
        self._cache.get_client(None, write=False).ping()

    # -- the operations, each a miss when Redis cannot be reached ------------------------------

    def get(self, key, default=None, version=None):
        return self._call(False, lambda: default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(False, dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, lambda: False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(True, lambda: False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(True, lambda: None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(True, lambda: list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(True, lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(True, lambda: False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call(True, lambda: None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

        return self._call(True, missing, super().incr, key, delta, version)

    def clear(self):
        return self._call(True, lambda: False, super().clear)
