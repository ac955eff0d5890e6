"""Server time of the public listing and the admin draft list, beside PostgreSQL's own time for
the same SQL (EXPLAIN ANALYZE of every query the view ran).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python bench/listing.py [--runs 15]

Requests go through Django's test client in this process (middleware, view, template: all of the
server's work, none of the network's). Prints p50 and p95 per case and the ratio to bare SQL.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
os.environ.setdefault("API_ANON_RATE", "1000000/minute")  # one client, many requests: not what throttling is for
# As in production: DEBUG off (no query log, cached templates, hashed static files), no HTTPS redirect
# for the test client.
for key, value in {"DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "testserver",
                   "SECURE_SSL_REDIRECT": "0"}.items():  # fmt: skip
    os.environ.setdefault(key, value)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG=0 pages need

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def public_cases() -> list[tuple[str, str]]:
    from deals.models import Company, Deal, GovernmentInvolvement

    latin = Company.objects.filter(country="DE").values_list("name", flat=True).first() or "Nova"
    hangul = Company.objects.filter(country="KR").values_list("name", flat=True).first() or "한성"
    programme = (
        GovernmentInvolvement.objects.filter(programme__isnull=False, deal__review_status="approved")
        .values_list("programme_id", flat=True)
        .first()
    )
    return [
        ("first page", "/deals/"),
        ("text search, a company's name", f"/deals/?q={latin}"),
        ("text search, a Hangul name", f"/deals/?q={hangul}"),
        ("text search, common fragment 'nova'", "/deals/?q=nova"),
        ("country pair", "/deals/?investor_country=DE&destination_country=KR"),
        ("USD range", "/deals/?usd_min=1000000&usd_max=5000000"),
        ("date range", "/deals/?date_from=2020-01-01&date_to=2020-12-31"),
        ("programme", f"/deals/?programme={programme}"),
        ("deep page (offset 50,000)", "/deals/?page=2001"),
        ("kind, sorted by USD", "/deals/?kind=joint_venture&sort=-usd"),
        ("sector and language", "/deals/?sector=3&language=ko"),
        ("API, first page", "/api/deals/"),
        ("API, country pair", "/api/deals/?investor_country=DE&destination_country=KR"),
        ("API, text search 'nova'", "/api/deals/?q=nova"),
        (
            "deal page",
            f"/deals/{Deal.objects.filter(review_status='approved').order_by('-id').values_list('pk', flat=True).first()}/",
        ),
        ("stats, unfiltered (cached)", "/stats/"),
    ]


ADMIN_CASES = [
    ("admin drafts, first page", "/admin/deals/deal/"),
    ("admin drafts, lowest confidence", "/admin/deals/deal/?o=7"),
    ("admin drafts, filtered (party country, has amount)", "/admin/deals/deal/?party_country=DE&usd_total__isempty=0"),
    ("admin drafts, search a company's name", "/admin/deals/deal/?q=__NAME__"),
    ("admin drafts, search common fragment 'nova'", "/admin/deals/deal/?q=nova"),
]


def sql_ms(queries: list[dict]) -> float:
    """PostgreSQL's planning + execution time for the queries, from EXPLAIN ANALYZE."""
    total = 0.0
    with connection.cursor() as cur:
        for q in queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql or "auth_user" in sql:
                continue
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cur.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += plan[0]["Planning Time"] + plan[0]["Execution Time"]
    return total


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def run(client: Client, cases: list[tuple[str, str]], runs: int) -> None:
    print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>8} {'ratio':>6} {'p95-SQL':>8} {'queries':>7}")
    for name, url in cases:
        assert client.get(url).status_code == 200, url  # warm: plans, caches, templates
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        bare = statistics.median(sql_ms(ctx.captured_queries) for _ in range(3))
        p50 = statistics.median(times)
        p95 = pct(times, 95)
        print(f"{name:<52} {p50:8.1f} {p95:8.1f} {bare:8.1f} {p50 / bare if bare else 0:6.2f} {p95 - bare:8.1f} "
              f"{len(ctx.captured_queries):7d}", flush=True)  # fmt: skip


def facets(runs: int) -> None:
    """The listing's facet counts computed afresh (the listing caches them per filter)."""
    from django.http import QueryDict

    from deals.facets import compute_facets, totals
    from deals.filters import DealFilterSet
    from deals.selectors import public_deals

    totals()  # kept warm by beat in production
    print(f"{'facet counts, uncached':<52} {'p50 ms':>8} {'p95 ms':>8} {'exact facets':>13}")
    for name, url in public_cases():
        if not url.startswith("/deals/"):
            continue
        params = QueryDict(url.partition("?")[2])
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            result = compute_facets(params, DealFilterSet, public_deals())
            times.append((time.perf_counter() - t0) * 1000)
        exact = sum(not f.estimated for f in result.values())
        print(
            f"{name:<52} {statistics.median(times):8.1f} {pct(times, 95):8.1f} {exact:>9} of {len(result)}", flush=True
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--only", choices=["public", "admin"], default=None)
    a = ap.parse_args()
    from deals.models import Deal

    print(f"database: {connection.settings_dict['NAME']}, deals: {Deal.objects.count():,}")
    if a.only in (None, "public"):
        run(Client(), public_cases(), a.runs)
        facets(a.runs)
    if a.only in (None, "admin"):
        admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
            "bench-admin", password=None
        )
        client = Client()
        client.force_login(admin)
        from deals.models import Company

        name = Company.objects.filter(country="DE").values_list("name", flat=True).first() or "nova"
        # The review screen of the newest draft (what "open the next draft" lands on).
        draft = Deal.objects.filter(review_status="draft").order_by("-created_at", "-id").values_list("pk", flat=True)
        cases = [*ADMIN_CASES, ("admin draft page (review screen)", f"/admin/deals/deal/{draft.first()}/change/")]
        run(client, [(n, u.replace("__NAME__", name)) for n, u in cases], a.runs)


if __name__ == "__main__":
    main()
