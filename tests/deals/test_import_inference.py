"""What an imported row implies: its destination and, for a joint venture, JV parents and the JV."""

import pytest

from deals.imports import import_file
from deals.models import Company, Deal, JointVenture, PartyRole

pytestmark = pytest.mark.django_db


def roles(deal: Deal) -> dict[str, str]:
    return {p.company.name: p.role for p in deal.parties.select_related("company")}


def test_a_korean_counterparty_in_a_korean_sheet_gives_the_destination(tmp_path):
    path = tmp_path / "유치.csv"
    path.write_text("거래명,당사자,투자금액(억원),유형\n"
                    "가상 거래 1,\"Invented Werke AG (DE, investor); 가상소재 (, investee)\",30,투자\n"
                    "가상 거래 2,\"Invented Optik GmbH (DE, investor); 가상광학 (, partner)\",10,투자\n", encoding="utf-8")  # fmt: skip
    report = import_file(path)
    assert report.created == 2 and not report.refused
    assert Deal.objects.filter(destination_country="KR").count() == Deal.objects.count() == 2
    assert Company.objects.get(name="가상소재").country == "KR"


def test_an_investee_column_gives_the_destination_and_a_stated_one_wins(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Title,Investor,Investor country,Investee,Destination,Amount (USD m)\n"
                    "One,Invented Werke AG,DE,가상소재,,12.5\n"
                    "Two,Invented Werke AG,DE,Invented Kft,HU,3\n", encoding="utf-8")  # fmt: skip
    import_file(path)
    assert dict(Deal.objects.values_list("title", "destination_country")) == {"One": "KR", "Two": "HU"}


def test_a_joint_venture_row_has_jv_parents_and_a_joint_venture_record(tmp_path):
    path = tmp_path / "합작.csv"
    path.write_text("거래명,투자기업,국가,국내기업,합작법인,유형\n"
                    "가상 합작 1,Invented Werke AG,독일,가상소재,가상베르케코리아,합작\n"
                    "가상 합작 2,Invented Optik GmbH,독일,가상광학,,합작투자\n", encoding="utf-8")  # fmt: skip
    report = import_file(path)
    assert report.created == 2 and not report.refused
    named, unnamed = Deal.objects.get(title="가상 합작 1"), Deal.objects.get(title="가상 합작 2")
    assert roles(named) == {"Invented Werke AG": PartyRole.JV_PARENT, "가상소재": PartyRole.JV_PARENT}
    assert roles(unnamed) == {"Invented Optik GmbH": PartyRole.JV_PARENT, "가상광학": PartyRole.JV_PARENT}
    assert JointVenture.objects.count() == 2
    jv = JointVenture.objects.get(deal=named)
    assert jv.company.name == "가상베르케코리아" and jv.company.country == "KR"
    assert {c.name for c in jv.parents.all()} == {"Invented Werke AG", "가상소재"}
    other = JointVenture.objects.get(deal=unnamed)
    assert other.company.name == "Invented Optik GmbH – 가상광학 joint venture"
    assert {c.name for c in other.parents.all()} == {"Invented Optik GmbH", "가상광학"}
    assert {named.destination_country, unnamed.destination_country} == {"KR"}
    assert "joint_venture" in {k.code for k in unnamed.kinds.all()}


def test_a_file_imported_again_after_inference_changes_nothing(tmp_path):
    path = tmp_path / "합작.csv"
    path.write_text(
        "거래명,투자기업,국가,국내기업,유형\n가상 합작,Invented Werke AG,독일,가상소재,합작\n", encoding="utf-8"
    )
    import_file(path)
    counts = (Deal.objects.count(), Company.objects.count(), JointVenture.objects.count())
    again = import_file(path)
    assert again.created == 0 and again.unchanged == 1
    assert (Deal.objects.count(), Company.objects.count(), JointVenture.objects.count()) == counts
