"""``manage.py deal_columns [--check | --refresh]``: the deals' stored columns against their rows.

The export and the API read a deal's parties, amounts, sources ... from columns on the deal row,
written by the services with the rows they join. ``--check`` lists the deals where the two
disagree (exit status 1); ``--refresh`` rewrites every deal's columns from its rows, in batches
(after a bulk load such as ``bench/seed.py``, or to repair what a raw SQL edit left behind).
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from deals.models import Deal
from deals.services import deals_joined_stale, deals_refresh_counts

BATCH = 5000


class Command(BaseCommand):
    help = "Check or rewrite the deals' stored export columns (parties, amounts, sources ...) from their rows."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--check", action="store_true", help="list deals whose columns disagree with their rows")
        mode.add_argument("--refresh", action="store_true", help="rewrite every deal's columns from its rows")

    def handle(self, *args, **options):
        ids = list(Deal.objects.order_by("pk").values_list("pk", flat=True))
        bar = tqdm(total=len(ids), unit="deal", disable=not sys.stderr.isatty(), file=sys.stderr)
        stale: list[int] = []
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if options["refresh"]:
                with transaction.atomic():
                    deals_refresh_counts(deal_ids=batch)
            else:
                stale += deals_joined_stale(deal_ids=batch)
            bar.update(len(batch))
        bar.close()
        if options["refresh"]:
            self.stdout.write(f"{len(ids)} deals refreshed.")
        elif stale:
            shown = ", ".join(map(str, stale[:20])) + (" ..." if len(stale) > 20 else "")
            raise CommandError(f"{len(stale)} of {len(ids)} deals disagree with their rows: {shown}; "
                               "run with --refresh")  # fmt: skip
        else:
            self.stdout.write(f"All {len(ids)} deals agree with their rows.")
