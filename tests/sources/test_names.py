"""Names in deal sentences, six languages, through the whole extractor (invented companies only).

Each case is one short article; the names a reviewer expects must be among the parties, and the
names that are not companies (places, people, public bodies, descriptors) must not.
"""

import pytest

from sources.extraction import extract_text
from sources.extraction.names import normalize_name


def _parties(text: str) -> set[str]:
    result = extract_text(text)
    return {normalize_name(p["name"]) for d in result.deals for p in d["parties"]}


def _countries(text: str) -> dict[str, str | None]:
    result = extract_text(text)
    return {normalize_name(p["name"]): p["country"] for d in result.deals for p in d["parties"]}


KO = [
    # transliterated foreign names with a country before them, no legal form
    ("전라북도는 일본 토모에케미칼과 500만 달러 규모의 투자협약을 체결했다.", {"토모에케미칼"}, {"전라북도", "일본"}),
    ("경상남도는 미국 브라이트폴과 2000만 달러 규모의 투자 양해각서를 체결했다고 밝혔다.", {"브라이트폴"}, set()),
    # a descriptor before the name: one party, not two
    ("충청북도는 반도체 장비업체 오르비텍스와 투자협약을 체결했다.", {"오르비텍스"}, {"반도체장비업체오르비텍스"}),
    # 사 glued to the name
    ("강원도는 독일 하이덴펠스사와 300만 유로 규모의 투자협약을 맺었다.", {"하이덴펠스"}, set()),
    # a list of companies
    (
        "산업부는 프랑스 베르텔, 독일 크라우스만, 일본 사쿠라덴키와 투자협약을 체결했다.",
        {"베르텔", "크라우스만", "사쿠라덴키"},
        {"프랑스", "독일", "일본"},
    ),  # fmt: skip
    # a Korean company with a legal form and a foreign one without
    ("㈜한빛소재는 스웨덴 노르바텍과 기술이전 계약을 체결했다.", {"한빛소재", "노르바텍"}, set()),
    # a person with a title is not a party
    (
        "가람테크는 미국 펠리온과 투자협약을 체결했다. 김도윤 가람테크 대표는 기대를 밝혔다.",
        {"가람테크", "펠리온"},
        {"김도윤"},
    ),
    # places and cities are not companies
    ("울산시는 노르웨이 피오르덴에너지와 1억 달러 규모의 투자협약을 체결했다.", {"피오르덴에너지"}, {"울산시", "울산"}),
    # Latin-letter name in Korean text
    ("전남도는 미국 Bluecrest와 투자협약을 체결했다.", {"bluecrest"}, {"전남도"}),
    # a name written in two words
    ("경기도는 독일 베르크만 하이드롤릭과 투자 양해각서를 체결했다.", {"베르크만하이드롤릭"}, {"하이드롤릭"}),
]
EN = [
    ("Nordvik Systems signed an agreement to invest $40 million in a plant in Ulsan.", {"nordviksystems"}, {"ulsan"}),
    (
        "Germany's Halvorn Dynamics signed a memorandum of understanding with Gyeonggi Province.",
        {"halvorndynamics"},
        {"germany", "gyeonggiprovince"},
    ),  # fmt: skip
    (
        "Pelago Biologics, a Japanese drugmaker, signed a licensing deal with Arvenn Therapeutics.",
        {"pelagobiologics", "arvenntherapeutics"},
        set(),
    ),  # fmt: skip
    (
        "Quillon Motors and Brightwater Power signed a joint venture agreement on Monday.",
        {"quillonmotors", "brightwaterpower"},
        {"quillonmotorsandbrightwaterpower"},
    ),  # fmt: skip
    (
        "Ostrava Metals Co., Ltd. signed an investment agreement with Busan Metropolitan City.",
        {"ostravametals"},
        {"busanmetropolitancity"},
    ),  # fmt: skip
    (
        "Dutch equipment maker Veenstra Lasertech signed a $12 million deal with Hanul Semicon Co., Ltd.",
        {"veenstralasertech", "hanulsemicon"},
        set(),
    ),  # fmt: skip
    (
        "Mr. Daniel Hart, chief executive of Corvane Energy, said the firm signed the agreement.",
        {"corvaneenergy"},
        {"danielhart"},
    ),  # fmt: skip
    ("Additionally, Tarsis Robotics signed an MOU with the Ministry of Trade.", {"tarsisrobotics"}, {"additionally"}),
    (
        "Seoul-based Ilsan Optics signed a $5 million agreement with Marlowe Instruments of Boston.",
        {"ilsanoptics", "marloweinstruments"},
        {"seoul", "boston"},
    ),  # fmt: skip
    ("Fenwick & Rowe signed a contract worth $8 million with Kessler Pumps.", {"fenwickrowe", "kesslerpumps"}, set()),
]
DE = [
    (
        "Die VolkerTec AG hat mit dem koreanischen Unternehmen Hanseo Materials einen Vertrag unterzeichnet.",
        {"volkertec", "hanseomaterials"},
        set(),
    ),  # fmt: skip
    ("Die Firma KRAMBERG hat eine Absichtserklärung mit der Provinz Gyeonggi unterzeichnet.", {"kramberg"}, set()),
    (
        "Die Grauwerk GmbH und die Sonnbach Solar GmbH haben einen Rahmenvertrag unterzeichnet.",
        {"grauwerk", "sonnbachsolar"},
        set(),
    ),  # fmt: skip
    (
        "Die Unternehmen haben am 3. Mai 2024 einen Vertrag mit LindenOptik unterzeichnet.",
        {"lindenoptik"},
        {"unternehmen"},
    ),
]
JA = [
    ("忠清北道は日本の青葉精機と投資協約を結んだ。", {"青葉精機"}, {"忠清北道"}),
    ("京畿道は東京のカワセテクノと500万ドルの投資協約を締結した。", {"カワセテクノ"}, {"京畿道", "東京"}),
    ("素材メーカー、白鷺化成は韓国企業と合弁会社を設立する契約を締結した。", {"白鷺化成"}, set()),
    ("株式会社ミドリ工機は忠清南道と投資協約を締結した。", {"株式会社ミドリ工機"}, {"忠清南道"}),
    ("山田太郎社長が率いる北星電子は投資協約を結んだ。", {"北星電子"}, {"山田太郎"}),
    pytest.param(
        "慶尚北道は日本のサクラダ化学、ハヤテ工業と投資協約を締結した。",
        {"サクラダ化学", "ハヤテ工業"},
        set(),
        # The party model learned Japanese from 7 real pages: a katakana-and-kanji name listed first
        # scores 0.2 (threshold 0.35). Known miss of the learned decisions, not of the rules.
        marks=pytest.mark.xfail(strict=True, reason="party model: too few Japanese pages to trust a mixed-script list"),
    ),
]
ZH = [
    ("德国克劳斯集团与江苏省签署投资协议，投资5亿元。", {"克劳斯集团"}, {"江苏省"}),
    ("韩国星光电子公司与西安市签订战略合作协议。", {"星光电子公司"}, {"西安市", "韩国星光电子公司"}),
    ("苏州华韵科技有限公司与韩国企业签署合资协议。", {"苏州华韵科技有限公司"}, set()),
    ("日本青山化学株式会社与山东省签约，投资3000万美元。", {"青山化学株式会社"}, {"山东省"}),
    ("上海明泰集团与德国Vollmer签署合作协议。", {"上海明泰集团", "vollmer"}, set()),
]
RU = [
    (
        "ООО «Сибирский кристалл» и корейская компания Hanmi Sensor подписали соглашение о создании СП.",
        {"сибирскийкристалл", "hanmisensor"},
        set(),
    ),  # fmt: skip
    (
        "Компания «Волгатех» подписала соглашение с правительством Самарской области.",
        {"волгатех"},
        {"правительствомсамарскойобласти"},
    ),  # fmt: skip
    ("Корейская корпорация «Донсан» заключила договор с АО «Уралпром» о поставках.", {"донсан", "уралпром"}, set()),
    (
        "Китайская компания Xinlong Motors подписала соглашение об инвестициях в Татарстан.",
        {"xinlongmotors"},
        {"татарстан"},
    ),  # fmt: skip
    ("АО «Балтийский лазер» подписало соглашение с администрацией Калужской области.", {"балтийскийлазер"}, set()),
]


@pytest.mark.parametrize(("text", "expected", "absent"), KO + EN + DE + JA + ZH + RU)
def test_deal_sentences_name_their_parties_and_nothing_else(text, expected, absent):
    parties = _parties(text)
    assert {normalize_name(n) for n in expected} <= parties, parties
    assert not ({normalize_name(n) for n in absent} & parties), parties


def test_a_country_before_a_transliterated_name_gives_its_country():
    countries = _countries("경상북도는 독일 하르텐베르크와 200만 유로 규모의 투자협약을 체결했다.")
    assert countries.get("하르텐베르크") == "DE"


def test_a_possessive_country_gives_the_country_in_english():
    countries = _countries("Sweden's Lindqvist Marine signed an investment agreement with Jeonnam Province.")
    assert countries.get("lindqvistmarine") == "SE"


def test_a_concluded_deal_with_no_named_party_is_a_draft_that_says_what_is_missing():
    result = extract_text("경상북도는 지난 3일 일본 기업과 2000만 달러 규모의 투자협약을 체결했다고 밝혔다.")
    (deal,) = result.deals
    assert deal["parties"] == [] and "parties" in deal["missing"]
    assert deal["amounts"][0]["value"] == "20000000"
    assert deal["confidence"] <= 0.6


def test_a_statistic_of_last_year_opens_no_deal():
    result = extract_text("도는 지난해 외국인투자기업 9곳과 모두 3억 달러 규모의 투자협약을 맺었다.")
    assert result.deals == []


def test_a_province_signing_with_three_firms_names_all_three():
    text = "전라남도는 독일 로텐바흐, 미국 케일런, 일본 미즈호덴코와 각각 투자협약을 체결했다."
    parties = {normalize_name(p["name"]) for d in extract_text(text).deals for p in d["parties"]}
    assert {"로텐바흐", "케일런", "미즈호덴코"} <= parties


def test_a_city_and_a_company_in_one_coordination_are_two_things():
    text = "Daesan Mobility Co., Ltd. signed an investment agreement with Busan Metropolitan City and Hanwoo Tech."
    (deal,) = extract_text(text).deals
    names = {normalize_name(p["name"]) for p in deal["parties"]}
    assert "daesanmobility" in names and "hanwootech" in names
    assert not any("busan" in n for n in names)
    assert [g["name"] for g in deal["government"]] == ["Busan Metropolitan City"]


def test_a_joint_venture_name_ends_where_the_name_ends():
    text = "가온소재와 독일 뮐렌바흐는 합작법인 가온뮐렌 청주시에 설립하기로 하는 계약을 체결했다."
    deals = extract_text(text).deals
    assert deals and deals[0]["joint_venture"]["name"] == "가온뮐렌"


def test_a_dutch_legal_form_keeps_its_dots():
    text = "Veldkamp Optics B.V. signed a supply agreement with Hanbit Lens Co., Ltd. worth $3 million."
    names = [p["name"] for d in extract_text(text).deals for p in d["parties"]]
    assert "Veldkamp Optics B.V." in names


def test_a_quoted_entity_a_deal_sets_up_is_its_joint_venture():
    text = "산업부는 독일 하르텐베르크와 「한독미래펀드(HDF)」를 설립하고 출자계약을 체결했다."
    (deal,) = extract_text(text).deals
    assert deal["joint_venture"]["name"] == "한독미래펀드"
    assert "하르텐베르크" in {p["name"] for p in deal["parties"]}


def test_a_factory_set_up_is_no_joint_venture():
    text = "경기도는 독일 하르텐베르크와 공장을 설립하는 투자협약을 체결했다."
    deals = extract_text(text).deals
    assert deals and deals[0]["joint_venture"] is None
