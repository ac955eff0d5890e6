"""``manage.py import_deals FILE [--dry-run] [--approve] [--user NAME] [--map 'Header=field']``."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from deals.imports import FIELDS, SpreadsheetError, import_file


class Command(BaseCommand):
    help = "Import deals from a spreadsheet (XLSX or CSV, Korean or English headers) as drafts."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="show what each row would do; write nothing")
        parser.add_argument("--approve", action="store_true", help="the rows are reviewed: import them as approved")
        parser.add_argument("--user", help="the reviewer the import is recorded for")
        parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                            help=f"map a column by hand ('-' skips it); fields: {', '.join(FIELDS)}")  # fmt: skip
        parser.add_argument("--show", type=int, default=20, help="rows of the plan to print (dry run)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        overrides = dict(m.split("=", 1) for m in options["map"] if "=" in m)
        bar = tqdm(unit="row", disable=not sys.stderr.isatty(), file=sys.stderr)
        try:
            report = import_file(path, user=user, approve=options["approve"], dry_run=options["dry_run"],
                                 overrides=overrides, progress=lambda n: bar.update(n - bar.n))  # fmt: skip
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write("columns: " + ", ".join(f"{h} → {f}" for h, f in report.mapping.items()))
        if options["dry_run"]:
            for sheet, number, plan in report.plans[: options["show"]]:
                self.stdout.write(f"  {sheet or '-'} row {number}: {plan}")
        verb = "would create" if options["dry_run"] else "created"
        self.stdout.write(f"{report.rows} row(s): {report.created} {verb}, {report.unchanged} unchanged "
                          f"(imported before), {len(report.refused)} refused")  # fmt: skip
        for sheet, number, reason in report.refused:
            self.stdout.write(f"  refused: {sheet or '-'} row {number}: {reason}")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.rows and not report.created and not report.unchanged:
            raise CommandError("every row was refused", returncode=2)
