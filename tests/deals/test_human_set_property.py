"""Property: whatever a reviewer set survives any number of re-extractions, whatever they propose."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deals.models import Amount, DealKind, Sector
from deals.services import deal_mark_human_set, draft_upsert
from tests.factories import article, result

pytestmark = pytest.mark.django_db

EDITABLE = ["title", "signed_on", "place", "destination_country", "confidence", "kinds", "amounts", "sectors"]

extraction = st.fixed_dictionaries(
    {
        "title": st.text(min_size=1, max_size=40).filter(str.strip),
        "date": st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat),
        "place": st.sampled_from(["Berlin", "Seoul", "Hwaseong", ""]),
        "destination_country": st.sampled_from(["KR", "DE", "US", ""]),
        "confidence": st.floats(0, 1).map(lambda f: round(f, 2)),
        "kinds": st.lists(
            st.sampled_from(["investment", "joint_venture", "mou", "licensing"]), min_size=1, max_size=3, unique=True
        ),  # fmt: skip
        "sectors": st.lists(st.sampled_from(["robotics", "batteries", "semiconductors"]), max_size=2, unique=True),
        "value": st.integers(1, 10**12).map(str),
        "currency": st.sampled_from(["USD", "EUR", "KRW"]),
    }
)


def apply(base: dict, e: dict) -> dict:
    r = result(value=e["value"], currency=e["currency"], title=e["title"])
    r["deals"][0].update({k: e[k] for k in ("date", "place", "destination_country", "confidence", "kinds", "sectors")})
    return r


def state(deal) -> dict:
    deal.refresh_from_db()
    return {
        "title": deal.title, "signed_on": deal.signed_on, "place": deal.place,
        "destination_country": str(deal.destination_country), "confidence": deal.confidence,
        "kinds": sorted(k.code for k in deal.kinds.all()), "sectors": sorted(s.slug for s in deal.sectors.all()),
        "amounts": sorted((a.value, a.currency) for a in deal.amounts.all()),
    }  # fmt: skip


def reviewer_edit(deal, fields: list[str]) -> None:
    """What a reviewer's save in the admin does: change the values, then mark the fields."""
    deal.title, deal.signed_on, deal.place = "Reviewed title", dt.date(2020, 2, 2), "Reviewed place"
    deal.destination_country, deal.confidence = "JP", Decimal("0.99")
    deal.save()
    if "kinds" in fields:
        deal.kinds.set([DealKind.objects.get_or_create(code="fund")[0]])
    if "sectors" in fields:
        deal.sectors.set([Sector.objects.get_or_create(slug="reviewed", defaults={"name": "reviewed"})[0]])
    if "amounts" in fields:
        deal.amounts.all().delete()
        Amount.objects.create(deal=deal, value=Decimal("123.45"), currency="CHF")
    deal_mark_human_set(deal=deal, fields=fields)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(st.sampled_from(EDITABLE), min_size=1, unique=True), runs=st.lists(extraction, min_size=1,
       max_size=4))  # fmt: skip
def test_reviewer_set_fields_survive_any_reextraction(fields, runs):
    with transaction.atomic():
        source = article()
        [deal] = draft_upsert(article=source, result=result())
        reviewer_edit(deal, fields)
        expected = {f: v for f, v in state(deal).items() if f in fields}
        for e in runs:
            draft_upsert(article=source, result=apply({}, e))
            now = state(deal)
            assert {f: now[f] for f in fields} == expected
        transaction.set_rollback(True)
