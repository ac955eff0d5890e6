"""A draft written by a real Celery worker is screened by the task queued when it commits."""

import time

import pytest

from deals.models import Deal
from screening.models import ScreeningMatch
from sources.services import article_receive
from tests.workers import wait_until_done

from .conftest import FILES, load

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = ("Russian firm Nordvik Technologies LLC and Korean company Hanbit Materials Co., Ltd. signed a joint venture "
        "agreement in Seoul on 3 March 2025. The partners will invest $50m in the venture.\n")  # fmt: skip


def test_a_worker_screens_the_parties_of_the_draft_it_writes(worker):
    load(FILES / "targets.simple.csv", "--name", "test sanctions", "--no-screen")
    article = article_receive(raw=TEXT.encode(), filename="invented-nordvik.txt").article
    wait_until_done([article.pk], worker=worker)
    deal = Deal.objects.get(sources__article=article)
    deadline = time.monotonic() + 60
    while not ScreeningMatch.objects.filter(company__deal_parties__deal=deal).exists():
        assert time.monotonic() < deadline, worker.tail()
        time.sleep(0.5)
    [flag] = ScreeningMatch.objects.filter(company__deal_parties__deal=deal)
    assert (flag.company.name, flag.entity.external_id, flag.strength) == (
        "Nordvik Technologies LLC", "NK-test-nordvik", "strong")  # fmt: skip
