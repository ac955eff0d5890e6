"""Sanctions screening at scale: a synthetic list of up to a million entities loaded through the real
service, then drafts screened (two parties each) beside a bare indexed lookup of one key.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_screening \\
        .venv/bin/python bench/screening.py --entities 100000 [--drafts 200] [--reload]

The names are invented from syllables (a few tens of thousands of distinct words, so that a word is
shared by many entities, as "trading" or a common surname is on a real list), some with a Cyrillic
alias, some with a generic word and a legal form. A third of the screened parties are near-misses
of listed names (another legal form, one letter off, Hangul spelling), the rest are unlisted.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench_screening")

SYLLABLES = ("ka lo vi nor dra zen mir tor sel van quo bri ash del gor hel ix jun kel lum mor nix ost pra rus sar "
             "tem ul vor wen yar zul").split()  # fmt: skip
GENERIC = ["Trading", "Holding", "Industries", "Group", "Technologies", "Energy", "Shipping"]
FORMS = ["LLC", "Ltd", "JSC", "Co., Ltd.", "GmbH", ""]
CYR = str.maketrans({"a": "а", "b": "б", "d": "д", "e": "е", "g": "г", "h": "х", "i": "и", "j": "дж", "k": "к",
                     "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т",
                     "u": "у", "v": "в", "w": "в", "x": "кс", "y": "й", "z": "з"})  # fmt: skip
HANGUL = {"nor": "노르", "dra": "드라", "zen": "젠", "mir": "미르", "tor": "토르", "sel": "셀", "van": "반", "ka": "카",
          "lo": "로", "vi": "비", "kel": "켈", "lum": "룸", "mor": "모르", "sar": "사르", "tem": "템", "vor": "보르"}  # fmt: skip


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3)))).capitalize()


def entity_name(rng: random.Random) -> tuple[str, list[str]]:
    core = [word(rng)] + ([word(rng)] if rng.random() < 0.5 else [])
    name = " ".join(core + ([rng.choice(GENERIC)] if rng.random() < 0.4 else []) + [rng.choice(FORMS)]).strip()
    aliases = ["ООО " + " ".join(w.lower().translate(CYR).capitalize() for w in core)] if rng.random() < 0.3 else []
    return name, aliases


def write_list(path: Path, n: int, seed: int) -> list[tuple[str, list[str]]]:
    import csv

    rng = random.Random(seed)
    sample = []
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow("id schema name aliases birth_date countries addresses identifiers sanctions phones emails "
                   "program_ids dataset first_seen last_seen last_change".split())  # fmt: skip
        for i in range(n):
            name, aliases = entity_name(rng)
            w.writerow([f"NK-bench-{i}", "Company", name, ";".join(aliases), "", rng.choice(["ru", "cn", "ir", "by"]),
                        "", "", "Invented Regulation", "", "", "BENCH", "bench", "2024-01-01", "2026-12-01", ""])  # fmt: skip
            if i % max(1, n // 300) == 0:
                sample.append((name, aliases))
    return sample


def near_miss(rng: random.Random, name: str) -> str:
    core = name.split()[0]
    choice = rng.randrange(3)
    if choice == 0:
        return f"{core} Holdings Pte. Ltd."
    if choice == 1:
        return core[:-1] + ("e" if core[-1] != "e" else "a") + " Corp"
    parts, rest = [], core.lower()
    while rest:  # a Hangul spelling where the syllables have one
        for syl in sorted(HANGUL, key=len, reverse=True):
            if rest.startswith(syl):
                parts.append(HANGUL[syl])
                rest = rest[len(syl) :]
                break
        else:
            return core + " Ltd"
    return "".join(parts) + "㈜"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--reload", action="store_true", help="load the list again, unchanged (a daily refresh)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from deals.models import Company, Deal, DealParty
    from screening.matching import forms
    from screening.models import ListedEntity, ListedName
    from screening.services import deals_screen, screening_list_load

    call_command("migrate", verbosity=0)
    out: dict = {"entities": args.entities, "postgres": connection.vendor == "postgresql"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "targets.simple.csv"
        sample = write_list(path, args.entities, args.seed)
        out["file_mb"] = round(path.stat().st_size / 1e6, 1)
        name = f"bench {args.entities}"
        if not ListedEntity.objects.filter(list__name=name).exists() or args.reload:
            t0 = time.perf_counter()
            with path.open("rb") as f:
                report = screening_list_load(stream=f, fmt="opensanctions-csv", list_name=name, file_name=str(path))
            out["load_s"] = round(time.perf_counter() - t0, 1)
            out["load"] = {"added": report.added, "changed": report.changed, "unchanged": report.unchanged}
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    with connection.cursor() as c:
        c.execute("ANALYZE screening_listedname") if connection.vendor == "postgresql" else None
    out["name_keys"] = ListedName.objects.count()

    rng = random.Random(args.seed + 1)
    deals = []
    for i in range(args.drafts):
        deal = Deal.objects.create(title=f"bench screening draft {i}")
        listed = near_miss(rng, rng.choice(sample)[0]) if i % 3 == 0 else f"{word(rng)} {word(rng)} Robotics"
        for n, party in enumerate((listed, f"{word(rng)}{word(rng)} Materials")):
            company = Company.objects.create(name=party, country=rng.choice(["KR", "RU", "DE"]))
            DealParty.objects.create(deal=deal, company=company, role="investor" if n == 0 else "investee")
        deals.append(deal.pk)
    deals_screen(deal_ids=deals[:5])  # warm: connection, caches, first queries
    times = []
    for pk in deals:
        t0 = time.perf_counter()
        deals_screen(deal_ids=[pk])
        times.append((time.perf_counter() - t0) * 1000)
    keys = [forms(rng.choice(sample)[0]).full for _ in range(200)]
    bare = []
    for key in keys:
        t0 = time.perf_counter()
        list(ListedName.objects.filter(kind="full", key=key).values_list("entity_id", flat=True)[:200])
        bare.append((time.perf_counter() - t0) * 1000)
    from screening.models import ScreeningMatch

    out["draft_ms"] = {"p50": round(statistics.median(times), 1), "p95": round(percentile(times, 95), 1),
                       "max": round(max(times), 1)}  # fmt: skip
    out["bare_lookup_ms"] = {"p50": round(statistics.median(bare), 2), "p95": round(percentile(bare, 95), 2)}
    out["ratio_p95"] = round(out["draft_ms"]["p95"] / out["bare_lookup_ms"]["p95"], 1)
    out["flags"] = ScreeningMatch.objects.filter(company__deal_parties__deal__in=deals).count()
    ScreeningMatch.objects.filter(company__deal_parties__deal__in=deals).delete()
    DealParty.objects.filter(deal__in=deals).delete()
    Deal.objects.filter(pk__in=deals).delete()
    Company.objects.filter(deal_parties__isnull=True, joint_ventures__isnull=True).delete()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
