"""Fill a PostgreSQL database with realistic synthetic deals, fast (COPY), for the benchmarks.

    createdb -h 127.0.0.1 -U postgres tracker_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python bench/seed.py --deals 1000000

Everything is invented: company names are random syllables in Hangul or Latin letters (each
company has aliases in both scripts), amounts are in five currencies with their USD values, and
deals are drafts, approved, rejected and duplicates in realistic proportions, each with a source
article, evidence spans, parties, kinds, sectors and, for some, government programmes.
Deterministic for a given --seed. Refuses to touch a database whose name does not contain "bench".
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from anyascii import anyascii  # noqa: E402

from deals.names import normalize_name  # noqa: E402
from sources.extraction import VERSION  # noqa: E402

KO_SYLLABLES = "가나다라마바사아자차카타파하한성진우현민서준지영태경동해솔빛새온누리"
LATIN_PARTS = ["nor", "vex", "tal", "ion", "ber", "lin", "kar", "sol", "ter", "ava", "mon", "rix", "zen", "dal",
               "qua", "fer", "lum", "orb", "tek", "nova", "gen", "vit", "cor", "pix"]  # fmt: skip
KO_SUFFIX = ["전자", "소재", "바이오", "테크", "에너지", "화학", "로보틱스", "반도체", "모빌리티", "시스템"]
EN_SUFFIX = ["Technologies", "Materials", "Robotics", "Energy", "Biotech", "Semiconductor", "Systems", "Labs"]
EN_LEGAL = ["GmbH", "Inc.", "Ltd.", "Co., Ltd.", "AG", "S.A.", "B.V.", "Corp."]
FOREIGN = ["US", "DE", "JP", "CN", "FR", "GB", "RU", "IL", "IN", "NL", "SG", "VN", "CA", "SE", "FI"]
CURRENCIES = {"USD": Decimal(1), "KRW": Decimal("0.00074"), "EUR": Decimal("1.08"), "JPY": Decimal("0.0068"),
              "CNY": Decimal("0.14")}  # fmt: skip
KINDS = ["investment", "joint_venture", "mou", "licensing", "technology_transfer", "acquisition", "fund", "partnership"]
LIFECYCLE = ["announced", "mou_signed", "agreement_signed", "completed", "cancelled"]
SECTORS = ["semiconductors", "batteries", "biotech and pharma", "automotive", "robotics", "advanced materials",
           "software and ai", "energy", "aerospace", "medical devices", "displays", "chemicals", "telecoms",
           "hydrogen", "agritech", "fintech", "logistics", "shipbuilding", "space", "quantum"]  # fmt: skip
PROVINCES = ["Northland Province", "Eastshore Province", "Riverside Metropolitan City", "Highland Province",
             "Harbour City", "Investment Promotion Agency", "Trade Promotion Agency", "Ministry of Industry"]  # fmt: skip


def ko_name(rng: random.Random) -> str:
    return "".join(rng.choice(KO_SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(KO_SUFFIX)


def en_name(rng: random.Random) -> str:
    stem = "".join(rng.choice(LATIN_PARTS) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{stem} {rng.choice(EN_SUFFIX)}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit(f"refusing to seed {url}: the database name must contain 'bench'")
    rng = random.Random(a.seed)
    n = a.deals
    n_companies = max(n // 2, 10)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=False) as conn:
        cur = conn.cursor()
        cur.execute(
            "TRUNCATE deals_evidence, deals_dealsource, deals_amount, deals_dealparty, deals_deal_kinds, "
            "deals_deal_sectors, deals_governmentinvolvement, deals_jointventure_parents, deals_jointventure, "
            "deals_deal, deals_companyalias, deals_representative, deals_company, deals_programme, "
            "deals_governmentbodyalias, deals_governmentbody, deals_sector, sources_article, "
            "deals_historicaldeal, deals_historicalamount, deals_historicaldealparty, deals_historicalcompany, "
            "deals_historicalcompanyalias, deals_historicalgovernmentinvolvement RESTART IDENTITY CASCADE"
        )
        # Foreign keys are checked by deferred triggers; the generator only writes ids it created.
        cur.execute("SET session_replication_role = replica")
        now = dt.datetime.now(dt.UTC)

        def copy(table: str, columns: list[str], rows) -> int:
            count = 0
            t0 = time.perf_counter()
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
                    count += 1
            print(f"  {table:<32} {count:>10,} rows  {time.perf_counter() - t0:6.1f} s", flush=True)
            return count

        for code in KINDS:
            cur.execute("INSERT INTO deals_dealkind (code) VALUES (%s) ON CONFLICT DO NOTHING", [code])
        copy("deals_sector", ["id", "slug", "name"],
             ((i + 1, s.replace(" ", "-"), s) for i, s in enumerate(SECTORS)))  # fmt: skip
        copy("deals_governmentbody", ["id", "name", "country", "level"],
             ((i + 1, p, "KR", "province" if "Province" in p else "agency") for i, p in enumerate(PROVINCES)))  # fmt: skip
        programmes = [(i + 1, f"Invented Bridge Programme {i + 1}", "", rng.randint(1, len(PROVINCES)))
                      for i in range(200)]  # fmt: skip
        copy("deals_programme", ["id", "name", "description", "body_id"], programmes)

        countries = []

        def companies():
            for cid in range(1, n_companies + 1):
                korean = cid % 2 == 1
                country = "KR" if korean else rng.choice(FOREIGN)
                countries.append(country)
                yield (cid, ko_name(rng) if korean else en_name(rng), country, "private", "", now, now)

        copy("deals_company", ["id", "name", "country", "kind", "website", "created_at", "updated_at"], companies())
        cur.execute("SELECT id, name FROM deals_company ORDER BY id")
        names = [r[1] for r in cur.fetchall()]

        def aliases():
            aid = 0
            for cid, name in enumerate(names, start=1):
                other = anyascii(name).title() if countries[cid - 1] == "KR" else f"{name} {rng.choice(EN_LEGAL)}"
                keys = {normalize_name(f): f for f in (other, name)}  # the canonical name wins a tie
                for key, form in keys.items():
                    aid += 1
                    yield (aid, cid, form, key, True)

        copy("deals_companyalias", ["id", "company_id", "name", "normalized", "accepted"], aliases())

        deal_rows: list[tuple] = []
        statuses = rng.choices(["approved", "draft", "rejected", "duplicate"], weights=[60, 34, 5, 1], k=n)
        first_approved = None

        def deals():
            nonlocal first_approved
            for did in range(1, n + 1):
                status = statuses[did - 1]
                if status == "approved" and first_approved is None:
                    first_approved = did
                if status == "duplicate" and first_approved is None:
                    status = "draft"
                ko = rng.randrange(1, n_companies + 1, 2)
                foreign = rng.randrange(2, n_companies + 1, 2) if n_companies > 1 else 1
                kinds = rng.sample(KINDS, rng.choice([1, 1, 2]))
                signed = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 6200))
                currency = rng.choice(list(CURRENCIES))
                value = Decimal(rng.randrange(1, 5000)) * (Decimal(10) ** rng.randint(4, 7))
                if currency == "KRW":
                    value *= 1000
                usd = (value * CURRENCIES[currency]).quantize(Decimal("0.01")) if rng.random() < 0.85 else None
                dest = "KR" if rng.random() < 0.7 else rng.choice(FOREIGN)
                deal_rows.append((did, ko, foreign, kinds, signed, currency, value, usd))
                title = f"{names[ko - 1]} – {names[foreign - 1]}: {kinds[0].replace('_', ' ')}"
                lifecycle = rng.choice(LIFECYCLE)
                extracted = "{}" if rng.random() < 0.5 else json.dumps({"title": title, "kinds": kinds})
                yield (did, title[:300], lifecycle, status, signed, "day", "", dest, "", Decimal("0.80"),
                       rng.choice(["ko", "en"]), usd, 1, extracted, VERSION, "[]", "",
                       now if status != "draft" else None, now - dt.timedelta(seconds=n - did), now,
                       first_approved if status == "duplicate" else None,
                       "person" if status != "draft" else "")  # fmt: skip

        copy("deals_deal", ["id", "title", "lifecycle", "review_status", "signed_on", "date_precision", "place",
                            "destination_country", "summary", "confidence", "language", "usd_total", "source_count",
                            "extracted", "extractor_version", "human_set_fields", "rejection_reason", "reviewed_at",
                            "created_at", "updated_at", "duplicate_of_id", "decided_by"], deals())  # fmt: skip

        copy("deals_dealparty", ["deal_id", "company_id", "role"],
             (row for d in deal_rows for row in ((d[0], d[1], "investee"), (d[0], d[2], "investor"))))  # fmt: skip
        copy("deals_deal_kinds", ["deal_id", "dealkind_id"], ((d[0], k) for d in deal_rows for k in d[3]))
        # A joint-venture deal creates a company, here one drawn from the others (no random draw, so
        # the rest of the data stays what it was for a given --seed): companies are then parties of
        # some deals and the joint venture of others, which the company page must both find.
        copy("deals_jointventure", ["deal_id", "company_id", "location"],
             ((d[0], d[0] * 7919 % n_companies + 1, "") for d in deal_rows if "joint_venture" in d[3]))  # fmt: skip
        copy("deals_deal_sectors", ["deal_id", "sector_id"],
             ((d[0], (d[0] * 7) % len(SECTORS) + 1) for d in deal_rows))  # fmt: skip
        copy("deals_amount", ["deal_id", "kind", "value", "currency", "estimated", "alternates", "original_text",
                              "usd_value", "usd_rate", "usd_rate_date", "usd_rate_source"],
             ((d[0], "investment", d[6], d[5], False, "[]", f"{d[6]} {d[5]}", d[7],
               CURRENCIES[d[5]] if d[7] is not None else None, d[4] if d[7] is not None else None,
               ("ECB reference rates" if d[5] != "USD" else "identity") if d[7] is not None else "")
              for d in deal_rows))  # fmt: skip
        copy("deals_governmentinvolvement", ["deal_id", "body_id", "programme_id", "role"],
             ((d[0], programmes[d[0] % 200][3], programmes[d[0] % 200][0] if d[0] % 2 else None, "broker")
              for d in deal_rows if d[0] % 10 < 3))  # fmt: skip

        def articles():
            for d in deal_rows:
                text = f"{names[d[1] - 1]} and {names[d[2] - 1]} signed a {d[6]} {d[5]} agreement on {d[4]}."
                yield (d[0], "feed", f"https://news.example.org/a/{d[0]}", "", text.encode(), "text/plain",
                       hashlib.sha256(str(d[0]).encode()).hexdigest(), "utf-8", text[:80], "en", d[4], text,
                       "extracted", 1, "", VERSION, now, "")  # fmt: skip

        copy("sources_article", ["id", "origin", "url", "filename", "raw", "content_type", "content_hash", "encoding",
                                 "title", "language", "published_on", "text", "status", "attempts", "last_error",
                                 "extractor_version", "received_at", "claim_token"], articles())  # fmt: skip
        copy("deals_dealsource", ["deal_id", "article_id", "added_at", "accepted"],
             ((d[0], d[0], now, True) for d in deal_rows))  # fmt: skip

        def evidence():
            for d in deal_rows:
                a = len(names[d[1] - 1])
                yield (d[0], d[0], "parties", 0, a, names[d[1] - 1], True)
                yield (d[0], d[0], "amounts", a + 1, a + 10, "amount", True)

        copy("deals_evidence", ["deal_id", "article_id", "field", "start", '"end"', "text", "accepted"], evidence())
        cur.execute("SET session_replication_role = DEFAULT")
        for table in ["deals_company", "deals_companyalias", "deals_deal", "deals_dealparty", "deals_deal_kinds",
                      "deals_deal_sectors", "deals_amount", "deals_governmentinvolvement", "deals_jointventure",
                      "sources_article",
                      "deals_dealsource", "deals_evidence", "deals_sector", "deals_governmentbody", "deals_programme"]:  # fmt: skip
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")
        conn.commit()
        conn.autocommit = True
        # The deals' joined export columns, by the command that repairs them (the services'
        # own expressions), rather than a second definition of their format here.
        t0 = time.perf_counter()
        cur.execute("ANALYZE")
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "deal_columns", "--refresh"], check=True,
                       env={**os.environ, "DATABASE_URL": url})  # fmt: skip
        print(f"  joined columns {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        print(f"  vacuum analyze {time.perf_counter() - t0:.1f} s")
    print(f"seeded {n:,} deals in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
