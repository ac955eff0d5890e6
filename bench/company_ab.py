"""The company and programme pages' deal queries, the old shape (LEFT JOIN, OR, DISTINCT) against
the new one (``id IN (... UNION ...)``), on a raw connection with rows fetched, interleaved.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_speed_1m .venv/bin/python bench/company_ab.py [--runs 7]

Kept as the record of issue 29's first item: both shapes must return the same ids.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from deals.models import Deal, DealParty, GovernmentInvolvement, JointVenture, ReviewStatus  # noqa: E402
from deals.selectors import NEWEST_FIRST, company_public_deals, programme_public_deals  # noqa: E402


def sql(qs) -> str:
    with connection.cursor() as cur:
        query, params = qs.query.sql_with_params()
        return psycopg.ClientCursor(cur.connection).mogrify(query, params)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    approved = Deal.objects.filter(review_status=ReviewStatus.APPROVED)
    newest = approved.order_by("-id").values_list("id", flat=True).first()
    company = DealParty.objects.filter(deal_id=newest).order_by("id").values_list("company_id", flat=True).first()
    venture = JointVenture.objects.filter(deal__review_status="approved").order_by("-deal_id")
    venture = venture.values_list("company_id", flat=True).first()
    programme = (
        GovernmentInvolvement.objects.filter(programme__isnull=False, deal__review_status="approved")
        .values_list("programme_id", flat=True)
        .first()
    )
    cases = []
    for label, cid in (("company page", company), ("company page, a joint venture", venture)):
        old = (
            approved.filter(Q(parties__company=cid) | Q(joint_venture__company=cid)).distinct().order_by(*NEWEST_FIRST)
        )
        cases.append((label, sql(old.values("id")), sql(company_public_deals(cid).values("id"))))
    old = approved.filter(government__programme=programme).distinct().order_by(*NEWEST_FIRST)
    cases.append(("programme page", sql(old.values("id")), sql(programme_public_deals(programme).values("id"))))
    one, five, fifteen = os.getloadavg()
    print(f"database {connection.settings_dict['NAME']}, {Deal.objects.count():,} deals; load {one:.2f} / {five:.2f} / "
          f"{fifteen:.2f} on {os.cpu_count()} cores")  # fmt: skip
    raw = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    print(f"{'case':<32} {'rows':>6} {'old ms':>9} {'new ms':>8} {'old/new':>8}")
    for label, old_sql, new_sql in cases:
        times: dict[str, list[float]] = {"old": [], "new": []}
        ids = {}
        for _ in range(a.runs):
            for key, statement in (("old", old_sql), ("new", new_sql)):
                t0 = time.perf_counter()
                ids[key] = [r[0] for r in raw.execute(statement).fetchall()]
                times[key].append((time.perf_counter() - t0) * 1000)
        assert ids["old"] == ids["new"], f"{label}: the two shapes disagree"
        o, n = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"{label:<32} {len(ids['new']):>6} {o:9.1f} {n:8.1f} {o / n:8.0f}x", flush=True)
    print(f"after: load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
