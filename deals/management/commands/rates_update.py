"""``manage.py rates_update [URL|FILE]``: load the ECB's reference-rate history into the database.

Without an argument it fetches ``settings.RATES_URL`` (the ECB's ``eurofxref-hist.zip``). A file
may be the zip or the CSV inside it. The whole file is read and checked before anything is
written; then the days it covers are replaced in one transaction, and amounts valued at a
provisional rate (dated after the last known fixing) are revalued.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from deals.rates import MAX_FILE_BYTES, RatesFileError, parse_history
from deals.services import exchange_rates_load

FILE_TYPES = ("application/zip", "application/x-zip-compressed", "text/csv", "application/octet-stream")


def read_source(where: str) -> bytes:
    """The bytes of a URL (fetched with the ingestion's checks) or of a local file."""
    if where.startswith(("http://", "https://")):
        from sources.fetch import FetchError, fetch

        try:
            return fetch(where, max_bytes=MAX_FILE_BYTES, accept_types=FILE_TYPES).body
        except FetchError as exc:
            raise CommandError(str(exc)) from None
    path = Path(where)
    if not path.is_file():
        raise CommandError(f"no such file: {where}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CommandError(f"{where} is {path.stat().st_size:,} bytes (limit {MAX_FILE_BYTES:,})")
    return path.read_bytes()


class Command(BaseCommand):
    help = "Load the ECB reference-rate history (eurofxref-hist, CSV or zip) from a URL or file into the database."

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", help="URL or file (default: settings.RATES_URL)")

    def handle(self, *args, **options):
        where = options["source"] or settings.RATES_URL
        if not where:
            raise CommandError("no URL or file given and RATES_URL is empty")
        try:
            fixings = parse_history(read_source(where))
        except RatesFileError as exc:
            raise CommandError(f"{where}: {exc}") from None
        bar = tqdm(total=len(fixings), unit="rate", disable=not sys.stderr.isatty(), file=sys.stderr)
        loaded = exchange_rates_load(fixings=fixings, source=where, progress=bar.update)
        bar.close()
        self.stdout.write(
            f"{loaded.rows:,} rates from {loaded.first} to {loaded.last} loaded from {where}; "
            f"{loaded.revalued} provisional amounts revalued, {loaded.provisional} still provisional."
        )
