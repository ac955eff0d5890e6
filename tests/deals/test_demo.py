"""``manage.py demo`` leaves a desk worth learning on (issue 27, item 13): about ten drafts from
invented articles in several languages, some clean, some with the usual faults to correct."""

import pytest

from deals.models import Deal, DecidedBy, ReviewStatus
from deals.review import missing_fields

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_leaves_about_ten_drafts_in_several_languages_some_needing_corrections(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("demo", "--username", "demo-admin")
    drafts = Deal.objects.filter(review_status=ReviewStatus.DRAFT).distinct()
    assert 8 <= drafts.count() <= 14
    languages = set(drafts.values_list("sources__article__language", flat=True))
    assert {"ko", "en", "ja", "zh"} <= languages
    incomplete = [d for d in drafts if missing_fields(d)]
    assert 2 <= len(incomplete) < drafts.count()  # some clean, some with faults
    approved_from_articles = Deal.objects.filter(review_status=ReviewStatus.APPROVED, sources__isnull=False).distinct()
    assert approved_from_articles.count() == 2
    assert set(approved_from_articles.values_list("decided_by", flat=True)) == {DecidedBy.DEMO}
