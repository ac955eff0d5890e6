"""Server time of the public pages, the API and the admin draft list, beside their limit: the same
SQL replayed on a raw psycopg connection with every row fetched, interleaved with the requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_speed_100k .venv/bin/python bench/listing.py \
        [--runs 15] [--json results-100k.json]

Requests go through Django's test client in this process (middleware, view, template: all of the
server's work, none of the network's). Each case's queries are captured once
(``CaptureQueriesContext``: the SQL as sent, parameters inlined); then each round times one request
and one replay of those statements on a separate raw connection (round trips and row decoding
included: what any client pays for the same SQL), alternately, so the machine's noise hits both.
Transaction control and writes (BEGIN, SAVEPOINT, a session save) are not replayed and are counted
apart. For each case: p50 and p95 of both, the ratio, p95 over the SQL's p95 (target: ≤ 15 ms), the
number of queries, and the plan's shape of its slowest query (EXPLAIN, node types and indexes).
With ``--json``, the figures are written out, to compare sizes (the 1M/100k ratio of the SQL).
"""

import argparse
import json
import os
import re
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
    from deals.models import Company, Deal, DealParty, GovernmentInvolvement, JointVenture

    latin = Company.objects.filter(country="DE").values_list("name", flat=True).first() or "Nova"
    hangul = Company.objects.filter(country="KR").values_list("name", flat=True).first() or "한성"
    programme = (
        GovernmentInvolvement.objects.filter(programme__isnull=False, deal__review_status="approved")
        .values_list("programme_id", flat=True)
        .first()
    )
    newest = Deal.objects.filter(review_status="approved").order_by("-id").values_list("pk", flat=True).first()
    # A company of the newest approved deal, and one that is the joint venture of an approved deal
    company = DealParty.objects.filter(deal_id=newest).order_by("id").values_list("company_id", flat=True).first()
    venture = (
        JointVenture.objects.filter(deal__review_status="approved").order_by("-deal_id")
        .values_list("company_id", flat=True).first()
    )  # fmt: skip
    cases = [
        ("first page", "/deals/"),
        ("text search, a company's name", f"/deals/?q={latin}"),
        ("text search, a Hangul name", f"/deals/?q={hangul}"),
        ("text search, common fragment 'nova'", "/deals/?q=nova"),
        ("country pair", "/deals/?investor_country=DE&destination_country=KR"),
        ("USD range", "/deals/?usd_min=1000000&usd_max=5000000"),
        ("date range", "/deals/?date_from=2020-01-01&date_to=2020-12-31"),
        ("programme filter", f"/deals/?programme={programme}"),
        ("deep page (offset 50,000)", "/deals/?page=2001"),
        ("kind, sorted by USD", "/deals/?kind=joint_venture&sort=-usd"),
        ("sector and language", "/deals/?sector=3&language=ko"),
        ("deal page", f"/deals/{newest}/"),
        ("company page", f"/companies/{company}/"),
        ("company page, a joint venture", f"/companies/{venture}/" if venture else None),
        ("programme page", f"/programmes/{programme}/"),
        ("Atom feed, country pair", "/deals/feed/?investor_country=DE&destination_country=KR"),
        ("stats, unfiltered (cached)", "/stats/"),
        ("API, first page", "/api/deals/"),
        ("API, country pair", "/api/deals/?investor_country=DE&destination_country=KR"),
        ("API, text search 'nova'", "/api/deals/?q=nova"),
        ("API, a deal", f"/api/deals/{newest}/"),
        ("API, a company", f"/api/companies/{company}/"),
        ("API, a programme", f"/api/programmes/{programme}/"),
    ]
    return [(name, url) for name, url in cases if url]


ADMIN_CASES = [
    ("admin drafts, first page", "/admin/deals/deal/"),
    ("admin drafts, lowest confidence", "/admin/deals/deal/?o=7"),
    ("admin drafts, filtered (party country, has amount)", "/admin/deals/deal/?party_country=DE&usd_total__isempty=0"),
    ("admin drafts, search a company's name", "/admin/deals/deal/?q=__NAME__"),
    ("admin drafts, search common fragment 'nova'", "/admin/deals/deal/?q=nova"),
]

NOT_REPLAYED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "INSERT", "UPDATE", "DELETE")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"host load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def declared(sql: str) -> str:
    """A server-side cursor's query (``DECLARE name ... CURSOR ... FOR SELECT``: ``.iterator()``) as
    the plain SELECT whose rows it hands over, so the replay fetches the same rows."""
    match = re.match(r"\s*DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", sql, re.S | re.I)
    return sql[match.end() :] if match else sql


class Replay:
    """The captured statements of one request, sent again on a raw psycopg connection (autocommit,
    as Django runs), every row fetched and decoded."""

    def __init__(self, raw, queries: list[dict]):
        self.raw = raw
        self.statements = [declared(q["sql"]) for q in queries
                           if not q["sql"].lstrip().upper().startswith(NOT_REPLAYED)]  # fmt: skip
        self.skipped = len(queries) - len(self.statements)

    def run(self) -> tuple[float, list[float]]:
        each = []
        with self.raw.cursor() as cur:
            t0 = time.perf_counter()
            for sql in self.statements:
                s0 = time.perf_counter()
                cur.execute(sql)  # no parameters: psycopg sends it as captured, '%' and all
                if cur.description is not None:
                    cur.fetchall()
                each.append((time.perf_counter() - s0) * 1000)
            return (time.perf_counter() - t0) * 1000, each


def shape(raw, sql: str) -> str:
    """The plan's shape, compactly: node types with their relation or index, children in brackets."""
    prefix = ""
    explained = re.match(r"\s*EXPLAIN\s*(\([^)]*\))?\s*", sql, re.I)
    if explained:  # the paginator's estimate: show what it estimates
        sql, prefix = sql[explained.end() :], "EXPLAIN of "
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return prefix + sql.split(None, 1)[0]
    with raw.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def node(n: dict) -> str:
        label = n["Node Type"]
        target = n.get("Index Name") or n.get("Relation Name")
        if target:
            label += f" {target}"
        if n.get("Join Type") and n["Node Type"] != "Hash":
            label = f"{n['Join Type']} {label}"
        kids = [node(c) for c in n.get("Plans", [])]
        return f"{label}({', '.join(kids)})" if kids else label

    return prefix + node(plan[0]["Plan"])


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


SLACK_MS = 15


def run(client: Client, raw, cases: list[tuple[str, str]], runs: int, out: list[dict]) -> None:
    print(f"{'case':<46} {'p50 ms':>7} {'p95 ms':>7} {'SQL p50':>7} {'SQL p95':>7} {'ratio':>6} {'over':>6} "
          f"{'queries':>7}  plan of the slowest query")  # fmt: skip
    for name, url in cases:
        assert client.get(url).status_code == 200, url  # warm: plans, caches, templates
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        replay = Replay(raw, ctx.captured_queries)
        replay.run()  # warm the raw connection's caches alike
        times, sql_times, per_statement = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
            total, each = replay.run()
            sql_times.append(total)
            per_statement.append(each)
        slowest = max(range(len(replay.statements)), key=lambda i: statistics.median(r[i] for r in per_statement),
                      default=None)  # fmt: skip
        plan = shape(raw, replay.statements[slowest]) if slowest is not None else "-"
        p50, p95, s50, s95 = statistics.median(times), pct(times, 95), statistics.median(sql_times), pct(sql_times, 95)
        over = p95 - s95
        flag = "" if over <= SLACK_MS else " !"
        queries = f"{len(replay.statements)}" + (f"+{replay.skipped}" if replay.skipped else "")
        ratio = f"{p50 / s50:6.1f}" if replay.statements else f"{'-':>6}"  # a cached page sends no SQL
        print(f"{name:<46} {p50:7.1f} {p95:7.1f} {s50:7.1f} {s95:7.1f} {ratio} "
              f"{over:6.1f}{flag:2} {queries:>5}  {plan}", flush=True)  # fmt: skip
        out.append({"case": name, "url": url, "p50": p50, "p95": p95, "sql_p50": s50, "sql_p95": s95,
                    "queries": len(replay.statements), "not_replayed": replay.skipped, "plan": plan,
                    "load": os.getloadavg()[0]})  # fmt: skip


def facets(runs: int) -> None:
    """The listing's facet counts computed afresh (the listing caches them per filter)."""
    from django.http import QueryDict

    from deals.facets import compute_facets, totals
    from deals.filters import DealFilterSet
    from deals.selectors import public_deals

    totals()  # kept warm by beat in production
    print(f"{'facet counts, uncached':<52} {'p50 ms':>8} {'p95 ms':>8} {'exact facets':>13}")
    for name, url in public_cases():
        if url.partition("?")[0] != "/deals/":
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
    import psycopg

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--only", choices=["public", "admin"], default=None)
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    from deals.models import Deal

    print(f"database: {connection.settings_dict['NAME']}, deals: {Deal.objects.count():,}; before: {load()}")
    print(f"ours: the request through Django's test client; the limit: its SQL replayed on a raw connection, rows "
          f"fetched; over = p95 - SQL p95 (target <= {SLACK_MS} ms, '!' where not met); queries: replayed+not")  # fmt: skip
    raw = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    results: list[dict] = []
    if a.only in (None, "public"):
        run(Client(), raw, public_cases(), a.runs, results)
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
        run(client, raw, [(n, u.replace("__NAME__", name)) for n, u in cases], a.runs, results)
    print(f"after: {load()}")
    if a.json:
        deals = Deal.objects.count()
        Path(a.json).write_text(json.dumps({"deals": deals, "load": os.getloadavg(), "cases": results}, indent=1))


if __name__ == "__main__":
    main()
