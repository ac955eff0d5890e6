"""Stake percentages read from articles in six languages, for the party they belong to (invented names)."""

import re
from decimal import Decimal

import pytest

from sources.extraction import extract_text
from sources.extraction.stakes import find_stakes


def stakes_of(text: str) -> dict[str, str | None]:
    [deal] = extract_text(text).deals
    return {p["name"]: p.get("stake") for p in deal["parties"]}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(주)가상전자와 독일 Invented Tools GmbH는 3일 합작법인 설립 계약을 체결했다. "
         "두 회사는 지분을 51%와 49%로 나눠 갖는다.", {"가상전자": "51", "Invented Tools GmbH": "49"}),
        ("(주)가상전자와 독일 Invented Tools GmbH는 3일 합작법인 설립 계약을 체결했다. "
         "지분은 (주)가상전자 51%, Invented Tools GmbH 49%다.", {"가상전자": "51", "Invented Tools GmbH": "49"}),
        ("가상화학(주)은 3일 일본 Invented Kasei와 합작법인 설립 계약을 맺었다. 가상화학이 60%, Invented Kasei가 40%의 "
         "지분을 갖는다.", {"가상화학": "60", "Invented Kasei": "40"}),
        ("Invented Alpha Corp. of Japan signed an agreement on March 3, 2025 to take a 49% stake in Korea's "
         "Invented Beta Co., Ltd. for $30 million.", {"Invented Alpha Corp.": "49", "Invented Beta Co., Ltd.": None}),
        ("株式会社インベンテッドは3日、韓国の가상소재(주)と合弁会社を設立する契約を結んだ。"
         "出資比率は株式会社インベンテッドが51%、가상소재(주)が49%。", {"株式会社インベンテッド": "51", "가상소재": "49"}),
        ("Die Invented Werk GmbH und die koreanische 가상소재(주) haben am 3. März 2025 einen Vertrag über ein Joint "
         "Venture unterzeichnet. Die Invented Werk GmbH hält einen Anteil von 51 Prozent, 가상소재(주) 49 Prozent.",
         {"Invented Werk GmbH": "51", "가상소재": "49"}),
        ("Российская компания ООО «Инвентед Тех» и корейская 가상소재(주) 3 марта подписали соглашение о создании "
         "совместного предприятия. Доля ООО «Инвентед Тех» составит 51%, доля 가상소재(주) — 49%.",
         {"ООО «Инвентед Тех": "51", "가상소재": "49"}),
    ],
)  # fmt: skip
def test_a_stake_goes_to_the_party_that_holds_it(text, expected):
    found = stakes_of(text)
    assert {name: found.get(name) for name in expected} == expected, found


def test_chinese_stakes_go_to_the_holder_named_before_them():
    text = "甲方与乙方签署合资协议。其中甲方持股51%，乙方持股49%。"
    mentions = [[(m.start(), m.end()) for m in re.finditer(name, text)] for name in ("甲方", "乙方")]
    stakes = find_stakes(text, [(0, len(text))], mentions)
    assert {(s.party, s.percent) for s in stakes} == {(0, Decimal("51")), (1, Decimal("49"))}
    assert text[stakes[0].start : stakes[0].end] == "甲方持股51%"  # the quote starts at the nearest name


def test_a_percentage_with_no_stake_word_is_no_stake():
    text = "Invented Alpha Corp. signed a deal with Invented Beta Inc.; revenue grew 5% and margins 12%."
    assert find_stakes(text, [(0, len(text))], [[(0, 20)], [(40, 57)]]) == []


def test_the_company_whose_shares_are_sold_is_not_the_holder():
    text = "가상홀딩스는 가상바이오의 지분 30%를 인수했다."
    stakes = find_stakes(text, [(0, len(text))], [[(0, 5)], [(7, 12)]])
    assert [(s.party, s.percent) for s in stakes] == [(0, Decimal("30"))]


def test_stake_evidence_quotes_the_text_exactly():
    text = ("(주)가상전자와 독일 Invented Tools GmbH는 3일 합작법인 설립 계약을 체결했다. "
            "지분은 (주)가상전자 51%, Invented Tools GmbH 49%다.")  # fmt: skip
    result = extract_text(text)
    cleaned = result.text
    quotes = [e for e in result.deals[0]["evidence"] if e["field"] == "parties" and "%" in e["text"]]
    assert quotes and all(cleaned[e["start"] : e["end"]] == e["text"] for e in quotes)
