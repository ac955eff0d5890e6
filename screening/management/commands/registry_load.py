"""``manage.py registry_load FILE|URL``: the GLEIF LEI golden copy, level 1 CSV."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from screening.formats import LoadError
from screening.services import open_source, registry_load


class Command(BaseCommand):
    help = "Add or update LEI records from the GLEIF golden copy (level 1 CSV, CC0)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path or an http(s) URL of the unzipped CSV")

    def handle(self, *args, **options):
        bar = tqdm(unit="B", unit_scale=True, disable=not sys.stderr.isatty(), file=sys.stderr, desc="LEI")
        try:
            with open_source(options["source"], progress=bar) as stream:
                report = registry_load(stream=stream)
        except LoadError as exc:
            raise CommandError(f"{exc} The registry is unchanged.") from exc
        except OSError as exc:
            raise CommandError(f"{options['source']}: {exc}. The registry is unchanged.") from exc
        finally:
            bar.close()
        self.stdout.write(f"{report.entities} LEI records: {report.added} added, {report.changed} changed, "
                          f"{report.unchanged} unchanged")  # fmt: skip
