from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from deals.models import Amount, Company, CompanyAlias, Deal, DealParty

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal():
    return Deal.objects.create(title="A deal")


def test_a_duplicate_alias_of_one_company_is_refused():
    company = Company.objects.create(name="제이엠씨", country="KR")
    CompanyAlias.objects.create(company=company, name="㈜제이엠씨")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyAlias.objects.create(company=company, name="(주)제이엠씨")  # same name once legal forms are dropped


def test_two_companies_may_share_an_alias():
    a = Company.objects.create(name="Alpha")
    b = Company.objects.create(name="Alpha Two")
    CompanyAlias.objects.create(company=a, name="Alpha")
    CompanyAlias.objects.create(company=b, name="Alpha")
    assert CompanyAlias.objects.filter(normalized="alpha").count() == 2


def test_an_amount_without_currency_is_refused(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Amount.objects.create(deal=deal, value=Decimal("3000000"), currency="")


def test_an_amount_with_a_malformed_currency_is_refused(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Amount.objects.create(deal=deal, value=Decimal("3000000"), currency="usd")


def test_a_non_positive_amount_is_refused(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Amount.objects.create(deal=deal, value=Decimal("0"), currency="USD")


def test_a_usd_value_without_its_rate_is_refused(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Amount.objects.create(deal=deal, value=Decimal("10"), currency="EUR", usd_value=Decimal("11"))


def test_an_invalid_review_status_is_refused_by_the_database(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(review_status="published")


def test_a_duplicate_must_name_its_original(deal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(review_status="duplicate")


def test_a_date_needs_a_precision(deal):
    import datetime as dt

    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(signed_on=dt.date(2024, 1, 1), date_precision="unknown")


def test_a_company_in_a_deal_cannot_be_deleted(deal):
    from django.db.models import ProtectedError

    company = Company.objects.create(name="Keep")
    DealParty.objects.create(deal=deal, company=company, role="investor")
    with pytest.raises(ProtectedError):
        company.delete()
