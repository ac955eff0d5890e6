"""Worker scaling: N synthetic articles through Redis with one worker process, then two.

    createdb -h 127.0.0.1 -U postgres tracker_bench_workers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_workers REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/workers.py --articles 5000

For each worker count: empty the tables, queue every article (workers stopped), start the workers
(`celery worker -c 1` each), and time from the moment they are ready until every article is
extracted or failed. Reports articles per second, the ratio two/one, and lost articles (any still
received or processing when the queue is empty and the workers idle).

Before the timed runs, in this process: the queries one article's task makes (a new deal, and the
same article run again), and extraction alone on the same articles (no database writes: what
bench/extract.py measures), the limit a worker could reach if writing cost nothing.
"""

import argparse
import os
import signal
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--workers", default="1,2")
    a = ap.parse_args()
    from tracker.celery import app

    raws = [article(i) for i in range(a.articles)]
    first, new, rerun = queries_per_article([article(a.articles + i) for i in range(40)])
    print(f"queries per article: {new} for a new deal ({first} for the first on an empty database), "
          f"{rerun} for the same article again", flush=True)  # fmt: skip
    print(f"extraction alone, same articles, one process: {extraction_alone(raws[:1000]):.1f} articles/s", flush=True)
    results = {}
    for n in [int(x) for x in a.workers.split(",")]:
        reset()
        app.control.purge()
        t0 = time.perf_counter()
        ids = [article_receive(raw=raw, filename=f"bench-{i}.txt").article.pk for i, raw in enumerate(raws)]
        queued_s = time.perf_counter() - t0
        log = Path("/tmp/bench-workers.log")
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
        results[n] = len(ids) / seconds
        print(f"{n} worker(s): {len(ids)} articles in {seconds:.1f} s = {results[n]:.1f} articles/s "
              f"(queued in {queued_s:.1f} s); extracted {done}, failed {failed}, lost {lost}", flush=True)  # fmt: skip
    if 1 in results and 2 in results:
        print(f"two workers / one worker: {results[2] / results[1]:.2f}x")


if __name__ == "__main__":
    main()
