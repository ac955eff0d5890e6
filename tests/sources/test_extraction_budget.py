"""An article that would run for minutes stops inside the extractor's loops with its reason
(issue 26, item 10). Inputs are generated here with invented names; no test times anything: the
budget is counted in steps, or given so small that any machine is over it, and the guards only turn
a hang into a failure."""

import random

import pytest

from sources import extraction, services
from sources.extraction import ExtractionError, extract, extract_text
from sources.extraction.clean import clean_text
from sources.models import ArticleStatus, Origin
from tests import guards

SYLLABLES = ["Vor", "Kel", "Mar", "Tin", "Bro", "Dal", "Zen", "Quo", "Pra", "Lum"]


def at_most(seconds: int):
    return guards.at_most(seconds, "still extracting")


def company_sentences(n: int, digits: int = 0) -> str:
    """``n`` sentences, each a different invented company signing with the same partner, after a
    run of ``digits`` digits: the shape of the 4 MB article of the issue."""
    rng = random.Random(26)
    names = ["".join(rng.choice(SYLLABLES) for _ in range(3)) + f"{i} Corp" for i in range(n)]
    sentences = " ".join(f"{name} signed an agreement with Hallberg Works Inc to invest $40 million." for name in names)
    return ("1" * digits + " " if digits else "") + sentences


def test_the_budget_is_checked_inside_the_loops_so_extraction_stops_at_its_bound():
    from sources.extraction import Budget

    for bound, stage in ((300, "deal sentences"), (600, "names")):
        budget = Budget(max_steps=bound)
        with pytest.raises(ExtractionError, match=f"too slow: stopped in {stage} after {bound} steps"):
            extract_text(company_sentences(300), budget=budget)
        # Stopped at the first check past the bound: inside the stage's loop, not after the stage.
        assert budget.steps == bound + 1


def test_a_normal_article_stays_far_below_the_step_bound():
    from sources.extraction import Budget

    budget = Budget(max_steps=10_000)
    result = extract_text(company_sentences(3), budget=budget)
    assert result.deals and budget.steps < 200


def test_an_article_naming_thousands_of_companies_is_refused_with_the_reason():
    raw = company_sentences(40_000, digits=5_000).encode()
    assert len(raw) > 3_000_000
    with at_most(120), pytest.raises(ExtractionError, match="too many names: more than 400"):
        extract(raw)


def test_a_long_run_of_digits_is_cleaned_in_linear_time():
    with at_most(60):  # 10,000 digits took 6 s; this run took hours
        cleaned = clean_text("1" * 400_000 + "\nVeltra Corp signed an agreement with Orvan AG to build a plant.\n")
    assert "Veltra Corp" in cleaned.text


@pytest.mark.django_db(transaction=True)
def test_the_soft_time_limit_is_recorded_as_too_slow_not_as_an_internal_error(monkeypatch, in_process_tasks):
    from celery.exceptions import SoftTimeLimitExceeded

    def past_the_limit(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(extraction, "extract", past_the_limit)
    article = services.article_receive(raw=b"Veltra Corp signed a deal.", origin=Origin.UPLOAD).article
    article.refresh_from_db()
    assert article.status == ArticleStatus.FAILED
    assert article.last_error.startswith("too slow: stopped at the task's time limit"), article.last_error


@pytest.mark.django_db(transaction=True)
def test_an_article_over_the_extraction_budget_fails_with_the_reason_and_can_be_retried(settings, in_process_tasks):
    settings.EXTRACTION_BUDGET_SECONDS = 0.000_001  # over budget on any machine, at the first check
    raw = company_sentences(50).encode()
    article = services.article_receive(raw=raw, origin=Origin.UPLOAD).article
    article.refresh_from_db()
    assert article.status == ArticleStatus.FAILED
    assert article.last_error.startswith("too slow: stopped in"), article.last_error
    settings.EXTRACTION_BUDGET_SECONDS = 20
    assert services.article_retry(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == ArticleStatus.EXTRACTED and article.last_error == ""
