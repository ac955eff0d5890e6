"""Sector keys in every script: Korean sector names stay distinct sectors."""

import pytest

from deals.imports import import_file
from deals.models import Deal, Sector
from deals.services import draft_upsert, sector_slug
from tests.factories import article, result

pytestmark = pytest.mark.django_db


def test_korean_sectors_in_an_import_stay_three_sectors(tmp_path):
    path = tmp_path / "분야.csv"
    path.write_text("거래명,투자기업,국가,국내기업,분야\n"
                    "가상 거래 1,Invented Alpha GmbH,독일,가상화학,화학\n"
                    "가상 거래 2,Invented Beta GmbH,독일,가상반도체,반도체\n"
                    "가상 거래 3,Invented Gamma GmbH,독일,가상바이오,바이오\n", encoding="utf-8")  # fmt: skip
    report = import_file(path)
    assert report.created == 3 and not report.refused
    by_deal = {d.title: [s.name for s in d.sectors.all()] for d in Deal.objects.prefetch_related("sectors")}
    assert by_deal == {"가상 거래 1": ["화학"], "가상 거래 2": ["반도체"], "가상 거래 3": ["바이오"]}
    assert Sector.objects.filter(name__in=["화학", "반도체", "바이오"]).count() == 3


def test_an_article_naming_korean_sectors_gets_each_of_them():
    res = result()
    res["deals"][0]["sectors"] = ["이차전지", "로봇"]
    [deal] = draft_upsert(article=article(), result=res)
    assert sorted(s.name for s in deal.sectors.all()) == ["로봇", "이차전지"]


def test_a_sector_name_without_letters_gets_a_key_of_its_own():
    assert sector_slug("반도체") == "반도체"
    assert sector_slug("+++") != sector_slug("***") and sector_slug("+++").startswith("sector-")
    assert sector_slug("Biotech and pharma") == "biotech-and-pharma"
