"""``manage.py screening_load FILE|URL [--format ...] [--name NAME] [--sync]``."""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from screening.formats import LoadError
from screening.models import ListFormat
from screening.services import companies_screen_all, open_source, screening_list_load

# Where each format is usually downloaded, and under which licence (docs/screening.md).
DEFAULTS = {
    "opensanctions-csv": ("OpenSanctions", "CC BY-NC 4.0 (non-commercial use; a licence otherwise)"),
    "ftm-jsonl": ("OpenSanctions", "CC BY-NC 4.0 (non-commercial use; a licence otherwise)"),
    "ofac-sdn-csv": ("OFAC SDN", "US government work, public domain"),
}


def guess_format(source: str) -> str:
    lower = source.lower().split("?")[0]
    if lower.endswith((".json", ".jsonl", ".ftm.json")):
        return "ftm-jsonl"
    if lower.endswith("sdn.csv"):
        return "ofac-sdn-csv"
    return "opensanctions-csv"


class Command(BaseCommand):
    help = "Load (or reload, replacing it) a sanctions list from a file or URL, then screen every company."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path or an http(s) URL")
        parser.add_argument("--format", choices=ListFormat.values, help="default: guessed from the name")
        parser.add_argument("--name", help="the list's name (default: by format); a reload names the same list")
        parser.add_argument("--licence", default="")
        parser.add_argument("--list-date", type=dt.date.fromisoformat, help="the list's publication date (YYYY-MM-DD)")
        parser.add_argument("--allow-shrink", action="store_true", help="accept a reload that delists most entities")
        parser.add_argument("--sync", action="store_true", help="screen the companies here rather than in a worker")
        parser.add_argument("--no-screen", action="store_true", help="do not screen the companies after the load")

    def handle(self, *args, **options):
        source = options["source"]
        fmt = options["format"] or guess_format(source)
        name, licence = DEFAULTS[fmt]
        name = options["name"] or name
        bar = tqdm(unit="B", unit_scale=True, disable=not sys.stderr.isatty(), file=sys.stderr, desc=name)
        try:
            with open_source(source, progress=bar) as stream:
                report = screening_list_load(
                    stream=stream, fmt=fmt, list_name=name, file_name=source,
                    source_url=source if "://" in source else "", licence=options["licence"] or licence,
                    list_date=options["list_date"], allow_shrink=options["allow_shrink"],
                )  # fmt: skip
        except LoadError as exc:
            raise CommandError(f"{exc} The list is unchanged.") from exc
        except OSError as exc:
            raise CommandError(f"{source}: {exc}. The list is unchanged.") from exc
        finally:
            bar.close()
        self.stdout.write(f"{name}: {report.entities} entities; {report.added} added, {report.removed} delisted, "
                          f"{report.changed} changed, {report.unchanged} unchanged; "
                          f"{report.flags_cleared} open flag(s) cleared")  # fmt: skip
        if options["no_screen"]:
            return
        if options["sync"]:
            found = companies_screen_all(progress=tqdm(unit="company", disable=not sys.stderr.isatty()))
            self.stdout.write(f"screened every company: {found} open flag(s)")
        else:
            from screening.tasks import companies_screen_all as task

            transaction.on_commit(task.delay)
            self.stdout.write("every company is queued for screening")
