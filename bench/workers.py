"""Worker scaling: N synthetic articles through Redis with one worker process, then two.

    createdb -h 127.0.0.1 -U postgres tracker_bench_workers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_workers REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/workers.py --articles 2000 --rounds 3

Each round, in turn: extraction alone on the same articles in this process (no database writes, no
broker: what bench/extract.py measures, the limit a worker could reach if writing cost nothing), then
one worker, then two. For each worker count: empty the tables, queue every article (workers
stopped), start the workers (`celery worker -c 1` each), and time from the moment they are ready
until every article is extracted or failed. Prints every round's figures and lost articles (any
still received or processing when the queue is empty and the workers idle), then every pair's ratio
(two workers / one) and every round's cost ratio (one worker's time per article / extraction alone)
with their median, min and max, and the host's load: the baseline moves with the machine, so it is
measured again beside each pair rather than once.

Before the rounds: the queries one article's task makes (a new deal, and the same article again).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench_workers")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_QUEUE", f"bench-{os.getpid()}")

import django  # noqa: E402

django.setup()

from articles import article  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sources.models import Article, ArticleStatus  # noqa: E402
from sources.services import article_receive  # noqa: E402


def reset() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE deals_evidence, deals_dealsource, deals_amount, deals_dealparty, deals_deal_kinds, "
            "deals_deal_sectors, deals_governmentinvolvement, deals_jointventure_parents, deals_jointventure, "
            "deals_deal, deals_companyalias, deals_representative, deals_company, deals_governmentbodyalias, "
            "deals_governmentbody, deals_sector, sources_article, deals_historicaldeal, deals_historicalamount, "
            "deals_historicaldealparty, deals_historicalcompany, deals_historicalcompanyalias, "
            "deals_historicalgovernmentinvolvement, deals_historicaljointventure RESTART IDENTITY CASCADE"
        )


def queries_per_article(raws: list[bytes]) -> tuple[int, int, int]:
    """Queries of the task body: the first article on an empty database; a new deal once earlier
    articles have brought the sectors (the last of ``raws``); and that article again."""
    from sources.tasks import article_process_task

    def run(pk: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            article_process_task.apply(args=(pk,))
        assert Article.objects.get(pk=pk).status == ArticleStatus.EXTRACTED
        return len(ctx)

    reset()
    counts = [run(article_receive(raw=raw, filename=f"queries-{i}.txt").article.pk) for i, raw in enumerate(raws)]
    pk = Article.objects.latest("pk").pk
    Article.objects.filter(pk=pk).update(status=ArticleStatus.RECEIVED)
    return counts[0], counts[-1], run(pk)


def extraction_alone(raws: list[bytes]) -> float:
    from sources import extraction

    extraction.extract(raws[0])  # load the analysers first, as a worker does before forking
    t0 = time.perf_counter()
    for raw in raws:
        extraction.extract(raw)
    return len(raws) / (time.perf_counter() - t0)


def start_workers(n: int, log: Path) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        path = log.with_name(f"{log.stem}-{i}.log")
        path.write_bytes(b"")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-c", "1", "-l", "info", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"bench{i}-{os.getpid()}@%h"],
            cwd=ROOT, env={**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "bench"},
            stdout=path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        ))  # fmt: skip
    return procs


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"host load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def through_workers(n: int, raws: list[bytes]) -> tuple[float, str]:
    """Articles per second through ``n`` worker processes, from the moment all are ready."""
    from tracker.celery import app

    reset()
    app.control.purge()
    t0 = time.perf_counter()
    ids = [article_receive(raw=raw, filename=f"bench-{i}.txt").article.pk for i, raw in enumerate(raws)]
    queued_s = time.perf_counter() - t0
    log = Path("/tmp") / f"bench-workers-{os.getpid()}.log"
    procs = start_workers(n, log)
    # Time from the moment the last worker is ready: boot time is not throughput. (Workers start
    # consuming as soon as each is ready, so the first may take a few messages early.)
    while not all(b"ready." in log.with_name(f"{log.stem}-{i}.log").read_bytes() for i in range(n)):
        time.sleep(0.05)
    started = time.perf_counter()
    pending = [ArticleStatus.RECEIVED, ArticleStatus.PROCESSING]
    while Article.objects.filter(status__in=pending).exists():
        time.sleep(0.25)
        if time.perf_counter() - started > 3600:
            break
    seconds = time.perf_counter() - started
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(timeout=60)
    done = Article.objects.filter(pk__in=ids, status=ArticleStatus.EXTRACTED).count()
    failed = Article.objects.filter(pk__in=ids, status=ArticleStatus.FAILED).count()
    lost = len(ids) - done - failed
    if lost:
        print(f"LOST {lost} articles with {n} worker(s)", flush=True)
    rate = len(ids) / seconds
    note = f"{len(ids)} in {seconds:.1f} s (queued in {queued_s:.1f} s); extracted {done}, failed {failed}, lost {lost}"
    return rate, note


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}, min {min(values):.2f}, max {max(values):.2f} (n={len(values)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of: extraction alone, 1 worker, 2 workers")
    a = ap.parse_args()
    print(f"database: {connection.settings_dict['NAME']}; before: {load()}", flush=True)
    raws = [article(i) for i in range(a.articles)]
    from sources import extraction

    # Load the analysers first, as a worker does before forking: on a loaded host the first load
    # can outlast the extraction's time budget, and that article would fail.
    extraction.extract(raws[0])
    first, new, rerun = queries_per_article([article(a.articles + i) for i in range(40)])
    print(f"queries per article: {new} for a new deal ({first} for the first on an empty database), "
          f"{rerun} for the same article again", flush=True)  # fmt: skip
    print("each round: extraction alone on the same articles in this process (the limit: no writes, no broker), "
          "then 1 worker, then 2 workers", flush=True)  # fmt: skip
    pairs, costs = [], []
    for r in range(a.rounds):
        alone = extraction_alone(raws)
        one, note1 = through_workers(1, raws)
        two, note2 = through_workers(2, raws)
        pairs.append(two / one)
        costs.append(alone / one)  # a worker's time per article over extraction's own time per article
        print(f"round {r + 1}: extraction alone {alone:.1f}/s; 1 worker {one:.1f}/s ({note1}); 2 workers {two:.1f}/s "
              f"({note2}); 2 workers / 1 = {two / one:.2f}x; 1 worker's cost per article / extraction alone = "
              f"{alone / one:.2f}x; load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    print(f"2 workers / 1 worker, every pair: {', '.join(f'{x:.2f}' for x in pairs)}; {spread(pairs)}; target >= 1.9")
    print(f"1 worker's cost per new-deal article / extraction alone: {', '.join(f'{x:.2f}' for x in costs)}; "
          f"{spread(costs)}; target <= 2")  # fmt: skip
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
