"""The extractor on short articles written for these tests (invented companies)."""

from pathlib import Path

import pytest

from sources.extraction import extract, extract_text

DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"


def deals_of(text: str):
    return extract_text(text).deals


def party_countries(text: str) -> dict[str, str | None]:
    """Every party of every deal the text gives, with its country."""
    return {p["name"]: p["country"] for d in deals_of(text) for p in d["parties"]}


NEGATIVES = {
    "rumour": (
        "Seoul Business Wire\n\nShipbuilder said to weigh stake in Norwegian design house\n\nPosted : 2024-01-08 18:00\n\n"
        "Hanmir Heavy Industries Co., Ltd. is in talks to buy a minority stake in Fjordline Design AS, people familiar "
        "with the matter said. The company denied that any agreement had been reached and said it is considering "
        "various options for its European business."
    ),
    "cancellation": (
        "산업뉴스\n\n다온전자, 베트남 합작법인 계약 해지\n\n입력 2023.03.02 09:00\n\n"
        "㈜다온전자는 베트남 반롱그룹(Van Long Group JSC)과 맺었던 합작법인 설립 계약을 해지했다고 2일 공시했다. "
        "양사는 지난해 1억 달러 규모의 합작 계약을 체결했으나 인허가 지연으로 사업이 무산됐다."
    ),
    "planned mission": (
        "지역경제신문\n\n강원도 투자유치단, 독일 방문 예정\n\n입력 2023.09.01 10:00\n\n"
        "강원도는 다음 달 독일 뮌헨과 베를린을 방문해 수소 분야 기업 투자 유치에 나설 예정이라고 1일 밝혔다. "
        "도는 현지 기업 10여 곳과 면담을 추진할 계획이다."
    ),
    "FDI statistics": (
        "Korea Economy Report\n\nForeign direct investment pledges hit record in first half\n\nPosted : 2023-07-05 10:00\n\n"
        "Foreign direct investment pledges to South Korea totalled $17.2 billion in the first half, the ministry said. "
        "Pledges from the United States rose 40 percent while investment from Japan fell, according to the data."
    ),
    "market forecast": (
        "Tech Markets Daily\n\nGlobal battery recycling market to reach $24bn by 2030\n\nPosted : 2024-02-01 08:00\n\n"
        "The global market for battery recycling is forecast to grow to $24 billion by 2030 from $6 billion this year, "
        "according to a report by an industry research firm. Demand from electric vehicle makers is expected to rise."
    ),
    "earnings": (
        "Market Wire\n\nChipmaker posts record quarterly profit\n\nPosted : 2024-04-25 07:00\n\n"
        "Solvane Semiconductor Inc. reported first-quarter revenue of $4.2 billion and net profit of $910 million on "
        "Thursday, beating analyst estimates. Shares rose 5 percent in early trading."
    ),
}


@pytest.mark.parametrize("kind", list(NEGATIVES), ids=list(NEGATIVES))
def test_articles_that_report_no_concluded_deal_give_no_deals(kind):
    assert deals_of(NEGATIVES[kind]) == []


def test_a_korean_joint_venture_article_gives_parties_amount_jv_and_date():
    result = extract((DEMO / "ko-demo-battery-jv.txt").read_bytes())
    assert result.language == "ko"
    assert str(result.published) == "2024-04-12"
    [deal] = result.deals
    assert {(p["name"], p["country"]) for p in deal["parties"]} == {("한결소재", "KR"), ("뮐러테크", "DE")}
    assert deal["joint_venture"]["name"] == "한뮐소재"
    assert {(a["value"], a["currency"]) for a in deal["amounts"]} == {("20000000", "EUR"), ("29000000000", "KRW")}
    assert deal["date"] == "2024-04-10"
    assert "joint_venture" in deal["kinds"]


def test_market_sizes_next_to_the_deal_are_not_deal_amounts():
    result = extract((DEMO / "en-demo-chip-investment.txt").read_bytes())
    [deal] = result.deals
    assert [(a["value"], a["currency"]) for a in deal["amounts"]] == [("85000000", "USD")]


def test_every_evidence_span_quotes_the_cleaned_text_exactly():
    for path in DEMO.glob("*.txt"):
        result = extract(path.read_bytes())
        for deal in result.deals:
            for ev in deal["evidence"]:
                assert result.text[ev["start"] : ev["end"]] == ev["text"]


def test_two_deals_signed_with_each_company_are_split():
    text = (
        "지역신문\n\n충남도, 외투기업 2곳과 투자협약\n\n입력 2023.05.24 17:05\n\n"
        "충청남도는 23일 도청에서 미국 알파머티리얼즈(Alpha Materials Inc.), 일본 베타화학(ベータ化学株式会社)과 "
        "각각 투자협약을 맺었다고 24일 밝혔다. 알파머티리얼즈는 5천만 달러를 투자한다. 베타화학은 30억 엔을 투입한다."
    )
    deals = deals_of(text)
    assert len(deals) == 2
    by_party = {d["parties"][0]["name"]: d for d in deals}
    assert by_party["알파머티리얼즈"]["amounts"][0]["currency"] == "USD"
    assert by_party["베타화학"]["amounts"][0]["currency"] == "JPY"


def test_amounts_convert_to_usd_with_the_rate_and_its_date():
    result = extract((DEMO / "ko-demo-battery-jv.txt").read_bytes())
    eur = next(a for a in result.deals[0]["amounts"] if a["currency"] == "EUR")
    assert eur["usd"] and eur["rate"] and eur["rate_date"] and eur["rate_source"]


def test_no_rate_is_guessed_where_the_series_has_none():
    text = (
        "Деловые новости\n\nСП в Сибири\n\nНОВОСИБИРСК, 3 июня 2024 — Японская компания Sakura Kogyo Co., Ltd. и "
        "ООО «Сибмаш» подписали соглашение о создании совместного предприятия. Объём инвестиций составит 500 млн рублей."
    )
    [deal] = deals_of(text)
    rub = next(a for a in deal["amounts"] if a["currency"] == "RUB")
    assert rub["usd"] is None and "no RUB" in rub["note"]


@pytest.mark.parametrize(
    ("word", "name"),
    [("가나다테크로부터", "가나다테크"), ("가나다테크에게는", "가나다테크"), ("가나다소재와의", "가나다소재"),
     ("라마바전자까지", "라마바전자"), ("한빛바이오만이", "한빛바이오"), ("가나다테크측은", "가나다테크"),
     ("가나다테크", "가나다테크"), ("나라", "나라")],
)  # fmt: skip
def test_korean_particles_of_any_combination_leave_the_name(word, name):
    from sources.extraction.entities import strip_particles

    assert strip_particles(word) == name


@pytest.mark.parametrize(
    ("name", "country"),
    [("株式会社サクラ精工", "JP"), ("ООО «Вектра»", "RU"), ("苏州明光科技有限公司", "CN"),
     ("Invented Castings Pvt Ltd", "IN"), ("Invented Korea Co., Ltd.", "KR"), ("サクラ精工コリア", "KR"),
     ("Invented Robotics GmbH", None), ("가나다테크", None)],
)  # fmt: skip
def test_a_company_name_script_or_legal_form_gives_its_country(name, country):
    from sources.extraction.entities import country_by_form

    assert country_by_form(name) == country


def test_a_province_and_its_short_form_and_an_agency_office_are_one_body_each():
    from sources.extraction.entities import EntityFinder

    text = (
        "전라남도와 ㈜가나다테크는 10일 투자협약을 체결했다. 전남도는 KOTRA 하노이무역관과 함께 투자를 유치했다. "
        "중국 창저우가나다소재유한공사도 참여했다."
    )
    bodies = [e for e in EntityFinder(text, "ko").find() if e.kind == "government"]
    names = sorted(e.name for e in bodies)
    assert names == ["KOTRA", "전라남도"], names
    kotra = next(e for e in bodies if e.name == "KOTRA")
    assert "KOTRA 하노이무역관" in kotra.aliases or "하노이무역관" in kotra.aliases


def test_a_sum_mentioned_again_with_its_equivalent_keeps_the_equivalent():
    from sources.extraction import extract_text

    text = (
        "가나다전선, 독일 기업과 합작\n입력 2024.05.02 10:00\n\n"
        "㈜가나다전선과 독일 라마바테크(Ramaba Tech GmbH)는 1일 2억 달러 규모의 합작공장 투자협약을 체결했다. "
        "㈜가나다전선과 라마바테크가 밝힌 투자액은 2억 달러(약 2천600억원)다.\n"
    )
    [deal] = extract_text(text).deals
    amounts = {(a["value"], a["currency"], a["group"]) for a in deal["amounts"]}
    assert amounts == {("200000000", "USD", 0), ("260000000000", "KRW", 0)}


def test_a_korean_investment_told_in_the_present_tense_is_a_deal_with_its_foreign_party():
    deals = deals_of(
        "산업뉴스\n\n유럽 기업 두 곳, 한국에 투자\n\n입력 2023.05.02 09:00\n\n"
        "프랑스 가나드사는 다라중공업과 함께 충북 오창에서 추진하는 공장 건립에 3억5,000만달러를 투자한다."
    )
    parties = {p["name"]: p["country"] for d in deals for p in d["parties"]}
    assert parties.get("가나드") == "FR"
    assert any(a["value"] == "350000000" for d in deals for a in d["amounts"])


def test_an_agreement_a_mission_will_seek_is_no_deal():
    text = (
        "지역경제신문\n\n도 투자유치단, 다음 달 유럽 방문\n\n입력 2024.04.22 15:40\n\n"
        "유치단은 슈투트가르트에서 모터 기업 가나 안트리프(Gana Antrieb GmbH)와 1억 유로 규모의 "
        "투자 양해각서(MOU) 체결을 추진한다."
    )
    assert deals_of(text) == []


def test_a_country_in_an_apposition_after_an_english_name_is_its_country():
    countries = party_countries(
        "Business Wire\n\nHanbit and Vexor form battery venture\n\nPosted : 2024-03-04 10:00\n\n"
        "Vexor GmbH signed a joint venture agreement with Hanbit Energy Co., Ltd., the South Korean battery maker, "
        "on March 3, 2024, the companies said."
    )
    assert countries.get("Hanbit Energy Co., Ltd.") == "KR"


def test_latin_initials_before_a_hangul_name_make_a_korean_company_in_korean_news():
    countries = party_countries(
        "산업뉴스\n\nAB전자, 독일 기업과 계약\n\n입력 2023.03.02 09:00\n\n"
        "AB전자는 독일 소재기업 베르나테크와 1억 달러 규모의 공급 계약을 체결했다고 2일 밝혔다."
    )
    assert countries.get("AB전자") == "KR"
    assert countries.get("베르나테크") == "DE"


def test_quoted_names_listed_after_a_company_noun_are_parties_with_its_country():
    countries = party_countries(
        "벤처뉴스\n\n창업펀드 조성\n\n입력 2023.09.22 09:00\n\n"
        "다온창업재단은 3일 창업펀드 조성 협약을 체결했다고 밝혔다. 이 펀드에는 미국의 벤처캐피털인 "
        "‘가나 벤처스’, ‘다라 파트너스’가 출자한다."
    )
    assert countries.get("가나 벤처스") == "US"
    assert countries.get("다라 파트너스") == "US"


def test_a_country_before_one_company_is_not_the_country_of_the_next():
    countries = party_countries(
        "산업뉴스\n\n유럽 기업, 한국에 투자\n\n입력 2023.05.02 09:00\n\n"
        "프랑스 가나드사는 다라중공업과 함께 충북 오창에 3억5,000만달러를 투자한다."
    )
    assert countries == {"가나드": "FR", "다라중공업": "KR"}


def test_a_name_in_kanji_with_no_cue_is_a_japanese_company_in_japanese_news():
    deals = deals_of(
        "産業ニュース\n\n東光精機、韓国に工場\n\n2023年5月2日\n\n"
        "東光精機は2日、韓国の大田市に5000万ドルを投資し、新工場を設立する契約を締結したと発表した。"
    )
    assert [(p["name"], p["country"]) for d in deals for p in d["parties"]] == [("東光精機", "JP")]


def test_the_partners_of_a_fund_named_in_the_next_sentence_are_its_parties_with_their_bracketed_countries():
    parties = party_countries(
        "벤처뉴스\n\n한국벤처펀드 출범\n\n입력 2023.05.02 09:00\n\n"
        "중소기업청은 21일 1000억원 규모의 「한빛벤처펀드(HVF)」를 설립하고 출자계약서에 대한 조인식을 가졌다고 밝혔다.\n"
        "한빛벤처펀드에는 다라투자자문, 마바사(미국), 아자사(싱가포르) 등 3개사가 출자한다."
    )
    assert parties == {"다라투자자문": "KR", "마바사": "US", "아자사": "SG"}


def test_companies_counted_by_country_then_named_take_that_country_and_a_count_is_no_name():
    parties = party_countries(
        "산업뉴스\n\n프랑스서 투자유치\n\n입력 2023.05.02 09:00\n\n"
        '장관은 6일 "프랑스 기업 3곳이 한국에 총 5억달러 규모의 투자약정을 체결했다"고 밝혔다.\n'
        "투자 의사를 밝힌 기업은 가르네 3억달러를 비롯 뮈세 1억달러, 보르디 1억달러 등이다."
    )
    assert parties == {"가르네": "FR", "뮈세": "FR", "보르디": "FR"}


def test_two_companies_joined_by_and_before_one_legal_form_are_two_parties_and_a_state_is_no_party():
    parties = party_countries(
        "Business Desk\n\nState signs two MoUs in Seoul\n\nPosted 2024-07-03\n\n"
        "The Government of Veluria has signed two Memorandums of Understanding (MoUs) with Orvan Machines and "
        "Teskel Co. Ltd. The delegation was led by the minister, K.R. Dasari.\n"
        "Veluria secured a $120 million investment from Seoul-based Orvan Machines."
    )
    assert set(parties) == {"Orvan Machines", "Teskel Co. Ltd."}


def test_an_investment_notification_is_no_company():
    parties = party_countries(
        "산업뉴스\n\n투자 유치\n\n입력 2023.05.02 09:00\n\n"
        "방미 계기 6개 미국 기업*의 투자신고(19억 달러)는 양해각서(MOU) 체결이 아니라 해당 기업이 투자계획을 "
        "확정한 후 신고한 것임\n* 수소(Aster Gas, Brin Power)"
    )
    assert "투자신고" not in parties


def test_a_region_a_city_or_a_generic_acronym_is_no_party():
    parties = party_countries(
        "산업뉴스\n\n투자 유치\n\n입력 2023.05.02 09:00\n\n"
        "독일 가람케미는 아시아·유럽 시장을 겨냥해 한국에 3억달러를 투자하기로 했다. "
        "가람케미는 나래소재와 IT 분야 MOU를 체결했다."
    )
    assert not {"아시아", "유럽", "IT", "MOU"} & set(parties)
    assert "가람케미" in parties


def test_an_army_or_a_navy_is_no_party():
    parties = party_countries(
        "Defence Desk\n\nShipyards sign deal\n\nPosted 2024-07-03\n\n"
        "Orvan Heavy Industries signed a contract worth $646 million with the Indian Army and the Indian Navy."
    )
    assert set(parties) == {"Orvan Heavy Industries"}


def test_a_department_ends_before_a_company_named_after_and():
    deals = deals_of(
        "Trade Desk\n\nChip grant signed\n\nPosted 2024-07-03\n\n"
        "The US Department of Commerce and Hanbit Electronics signed an agreement on a $6.4 billion grant. "
        "Hanbit Electronics will build two plants in Texas."
    )
    assert [g["name"] for d in deals for g in d["government"]] == ["Department of Commerce"]


def test_companies_grouped_by_country_in_english_then_named_take_that_country():
    parties = party_countries(
        "Business Desk\n\nState lands two investments\n\nPosted 2024-07-03\n\n"
        "Germany has secured two investment agreements with prominent South Korean corporations. "
        "The first involves battery maker Orvan HiTech and electronics giant Teskel, worth €45 million."
    )
    assert parties == {"Orvan HiTech": "KR", "Teskel": "KR"}


def test_an_acronym_and_a_lowercase_word_written_alike_twice_are_one_name():
    parties = party_countries(
        "Pharma Desk\n\nLicensing deal\n\nPosted 2024-07-03\n\n"
        "QX therapeutics said Thursday it has signed a technology transfer agreement with Orvan Pharma "
        "worth $58 million.\nUnder the agreement, QX therapeutics will transfer the rights to Orvan Pharma."
    )
    assert "QX therapeutics" in parties and "QX" not in parties


def test_an_authorised_joint_venture_in_old_news_is_a_deal_with_its_company_and_a_soviet_party():
    deals = deals_of(
        "경제\n\n첫 합작 인가\n\n입력 1990.03.20 09:00\n\n"
        "재무부는 19일 소련국영 무역업체인 소련가나설계소와\n"
        "한국의 다라상사(대표이사 홍길동)와 합작투자 형태로 설립하는 가칭\n"
        "한소마바(HSMB)(주)의 외국인투자를 인가 했다.\n"
        "소련측 투자금액은 1억4천만원이다."
    )
    assert len(deals) == 1
    assert deals[0]["joint_venture"]["name"].startswith("한소마바")
    assert {p["name"]: p["country"] for p in deals[0]["parties"]} == {"소련가나설계소": "RU", "다라상사": "KR"}


def test_a_german_lead_gives_the_sum_and_the_country_of_firms_that_sign_in_the_next_sentence():
    [deal] = deals_of(
        "Drei deutsche Maschinenbauunternehmen wollen in der südkoreanischen Provinz Gangwon 50 Millionen "
        "Dollar investieren.\nWie die Provinzverwaltung mitteilte, hätten die Unternehmen am Montag in Ulm "
        "entsprechende Absichtserklärungen unterzeichnet.\nDazu zählt VLD Antriebstechnik, ein Marktführer."
    )
    assert [(p["name"], p["country"]) for p in deal["parties"]] == [("VLD Antriebstechnik", "DE")]
    assert [(a["currency"], a["value"]) for a in deal["amounts"]] == [("USD", "50000000")]
    assert {"mou", "investment"} <= set(deal["kinds"])


def test_a_german_province_is_a_public_body():
    from sources.extraction.entities import EntityFinder

    found = EntityFinder("Die Delegation der Provinz Gangwon besucht Ulm.", "de").find([])
    assert [(e.kind, e.name) for e in found] == [("government", "Provinz Gangwon")]


def test_a_town_in_brackets_after_a_name_gives_its_country():
    parties = party_countries(
        "Новости\n\nСоглашение\n\nопубликовано 12.07.2024\n\n"
        "Компания ВЛТ (Челябинск) и корпорация «Лиюань» (Харбин) подписали соглашение о создании "
        "совместного предприятия."
    )
    assert parties == {"ВЛТ": "RU", "Лиюань": "CN"}


def test_an_abbreviation_in_brackets_is_no_town():
    parties = party_countries(
        "産業ニュース\n\n投資協約\n\n2023年5月2日\n\n"
        "知事は東京の新素材メーカー、東光化学研究所(ERI)と同社が忠州市に200億ウォンを投じる投資協約を結んだ。"
    )
    assert parties == {"東光化学研究所": "JP"}  # not the country of a town that ERI also names


def test_a_name_opening_like_a_city_continues_and_a_foreign_person_after_it_is_no_company():
    deals = deals_of(
        "산업뉴스\n\n일본 기업 투자\n\n입력 2006.06.09 15:03\n\n"
        "일본의 가나비시 다라온사와 한국마바사가 한국에 총 1억달러를 직접투자하기로 했다.\n"
        "차관은 9일 일본 가나비시 다라온사 아오키 다로 본부장, 한국마바사 홍길동 회장 등과 투자 양해각서(MOU)를 맺었다.\n"
        "양해각서는 가나비시 다라온사가 5천300만달러를 투자해 한빛석유화학과 50 대 50의 지분율로 합작기업을 설립하는 내용이다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "한빛석유화학" in names and any(n.startswith("가나비시 다라온") for n in names)
    assert not {"다라온", "다라온사", "아오키", "아오"} & names


def test_investments_made_by_listed_firms_at_a_ministry_ceremony_are_deals_with_the_host():
    deals = deals_of(
        "Skip Menu\n\nPress Releases\n\n  • Print\n\n"
        "Ministry holds Investment Notification Ceremony 2023-04-12\n\n"
        "The Ministry of Industry and Commerce held an Investment Notification Ceremony on April 11 in Boston.\n\n"
        "The Ministry announced that the event had drawn a total of USD 400 million in investment from three firms.\n\n"
        "Amid the ROK-U.S. supply chain push, it is expected that cooperation will deepen further.\n\n"
        "R&D center investments made by Harlow Instruments, Quenby Optics and Tarrant Materials are seen to bolster "
        "the supply chain."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert {"Harlow Instruments", "Quenby Optics", "Tarrant Materials"} <= names
    assert not {"Amid", "ROK-U.S", "ROK-U.S."} & names
    assert any(g["name"] == "Ministry of Industry and Commerce" for d in deals for g in d["government"])


def test_a_sale_of_a_stake_quoted_from_the_press_names_seller_and_buyer_not_the_newspaper():
    deals = deals_of(
        "한중경제\n\n중국 다화그룹, 한국 가람섬유에 자회사 지분 매각\n\n"
        "【한중뉴스】 홍길동 기자 = 중국 다화그룹(大华集团)이 자회사 지분을 한국 기업에 매각했다.\n\n"
        "중국 매체 화샤신문(华夏新闻)에 따르면 지난 27일 다화그룹은 한국 섬유 기업 가람섬유에 자회사 지분 20%를 "
        "500만위안에 매각하고 중국 내 합자회사를 설립하기로 계약했다.\n\n"
        "이날 양사는 기술 및 브랜드 특허권 협약도 맺었다.\n\n"
        '중국 다화그룹 측은 "가람섬유와의 협력을 통해 선진 기술을 얻게 됐다"고 밝혔다.'
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    kinds = {k for d in deals for k in d["kinds"]}
    assert {"다화그룹", "가람섬유"} <= names
    assert not {"화샤신문", "매체 화샤신문", "측은", "측"} & names
    assert {"acquisition", "joint_venture", "licensing"} <= kinds


def test_firms_that_join_to_build_are_a_deal_and_a_counted_group_of_firms_is_no_party():
    deals = deals_of(
        "산업뉴스\n\n유럽 기업 투자\n\n입력 2011.03.11 09:00\n\n"
        "산업부는 독일 뮌헨에서 EU 신소재·부품 3개 기업과 2억달러 규모의 투자 양해각서(MOU)를 체결했다고 10일 밝혔다.\n"
        "독일 다라모텍사는 한빛정공과 합작해 모터 공장을 인천 송도에 짓는다. 공장 건설에 3,000만달러를 투입한다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "다라모텍" in names
    assert not any(n.startswith("EU") for n in names)
    assert any("joint_venture" in d["kinds"] for d in deals)


def test_a_group_named_with_a_proper_noun_is_a_party_and_a_group_of_a_trade_is_not():
    deals = deals_of(
        "산업뉴스\n\n농기계 기술 수출\n\n입력 2012.04.13 09:00\n\n"
        "가온기계와 인도의 자동차그룹 바라탄그룹은 지난 7일 뭄바이에서 트랙터 제조 기술을 500만달러에 이전하는 계약을 체결했다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "바라탄그룹" in names and "자동차그룹" not in names


def test_a_photo_caption_names_the_public_body_that_signed_and_greenfield_is_no_company():
    deals = deals_of(
        "경제신문\n\n태양광 투자 유치\n\n입력 2015.06.11 09:00\n\n"
        "![](https://img.example.org/photo/1.jpg)\n"
        "▲새만금청-중국 다라솔라사 투자협약식[사진제공=전북도]\n"
        "이번 대규모 투자협약은 새만금에 입주계약을 체결한 6번째 기업으로, 장기간 상담을 통해 거둔 성과다.\n"
        "특히, 이번 다라솔라사의 투자는 중국 기업이 한국의 그린 필드(Green Field, 제조업 직접투자) 분야에 투자한 사례 "
        "가운데 최대 규모로서 2000억 원이 투자된다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "다라솔라" in names and "Green Field" not in names
    assert any(g["name"] == "새만금청" for d in deals for g in d["government"])


def test_an_agency_written_in_latin_letters_is_found_glued_to_japanese_and_korean_words():
    deals = deals_of(
        "産業ニュース\n\n投資協約\n\n2010年3月16日\n\n"
        "報道によると、知識経済部とKOTRA(大韓貿易投資振興公社)は15日、東京で東光化学と総額1億ドルの投資協力の"
        "了解覚書(MOU)を締結した。"
    )
    assert {"KOTRA", "知識経済部"} <= {g["name"] for d in deals for g in d["government"]}


def test_people_introduced_by_a_title_are_no_parties_even_when_named_again_alone():
    deals = deals_of(
        "Norland and Korea sign MOU\n\nA joint fund for small businesses\n\n"
        "Norland on Monday stepped up its ties with South Korea by signing a memorandum of understanding for a "
        "joint $80 million venture capital fund.\n"
        "The signing ceremony between Industry and Labor Minister Tovan Ferrow and the head of Korea's Small and "
        "Medium Business Administration (SMBA) was held in the presence of President Ilse Marrak.\n"
        "Marrak and Ferrow had visited the country in June."
    )
    assert deals and any(a["value"] == "80000000" for d in deals for a in d["amounts"])
    names = {p["name"] for d in deals for p in d["parties"]}
    assert not {n for n in names if "Ferrow" in n or "Marrak" in n}


def test_a_parent_and_its_uk_subsidiary_stay_two_companies_and_a_government_grant_is_no_party():
    deals = deals_of(
        "Energy News\n\nKorean tower maker wins UK grant\n\n"
        "A subsidiary of the South Korean Hanbit Towers Corporation confirmed on 12 February that it has been awarded "
        "Coastal Growth Funding from the UK government to build a tower factory in the Tyneside, North East England.\n"
        "Hanbit Towers UK Limited plan to build the facility. The government’s Coastal Growth Fund has invested "
        "nearly £2 billion."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "Hanbit Towers Corporation" in names
    assert not {"Coastal Growth Funding", "Coastal Growth Fund", "Tyneside", "England"} & names


def test_an_entrepreneur_and_the_newspaper_he_told_are_no_parties():
    deals = deals_of(
        "Robotics\n\nStake sales\n\n"
        "Two of Arvelo's German shareholders -- technology company Brannick and entrepreneur Otto Lessing -- said they "
        "had agreed to sell their stakes.\n"
        "Brannick had agreed to sell its stake of 25 percent for 1.2 billion euros.\n"
        "And Lessing told the business daily Morgenblatt he had agreed to sell his stake of 10 percent for "
        "nearly 500 million euros."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert {"Brannick", "Arvelo"} <= names  # not "Arvelo's German"
    assert not {"Lessing", "Otto Lessing", "Morgenblatt"} & names


def test_a_name_before_a_sum_written_long_is_a_party():
    deals = deals_of(
        "경제신문\n\n외국기업 투자 신고\n\n입력 2004.05.20 09:00\n\n"
        "20일 서울에서 투자 협약을 체결한 프랑스 기업은 라비에르 4억6백만달러를 비롯 몽타뉴 2억5천4백만달러 등이다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert {"라비에르", "몽타뉴"} <= names


def test_a_stake_bought_is_its_own_deal_with_the_buyers_whole_sum_and_a_unit_takes_its_parents_country():
    deals = deals_of(
        "국제경제\n\n일본 기업 해외 인수 늘어\n\n입력 2010.10.21 09:00\n\n"
        "이날 일본 통신업체 가온그룹 산하의 가온데이터는 미국 IT 기업인 다라시스템을 1000억엔에 인수하기로 했다.\n"
        "또 일본 제약업체인 미나토제약은 우리나라의 바이오 벤처기업인 한빛바이오의 지분 30%를 취득하기로 했다. "
        "미나토제약은 총 10억엔을 투자해 공동 연구개발에 나설 예정이다."
    )
    by_party = {p["name"]: (d, p["country"]) for d in deals for p in d["parties"]}
    assert by_party["가온데이터"][1] == "JP"
    stake, _ = by_party["미나토제약"]
    assert "한빛바이오" in {p["name"] for p in stake["parties"]} and "다라시스템" not in {
        p["name"] for p in stake["parties"]
    }
    assert "acquisition" in stake["kinds"]
    assert [(a["currency"], a["value"]) for a in stake["amounts"]] == [("JPY", "1000000000")]


def test_a_part_of_a_country_is_no_public_body():
    deals = deals_of(
        "産業ニュース\n\n投資協約\n\n2013年5月25日\n\n"
        "【東洋通信】韓国西部、忠清南道の知事は24日、東京都内のホテルで東光化学の社長と"
        "100億ウォンの投資協約を結んだ。"
    )
    bodies = {g["name"] for d in deals for g in d["government"]}
    assert "忠清南道" in bodies and "韓国西部" not in bodies


def test_a_joint_research_agreement_is_a_partnership():
    deals = deals_of(
        "산업뉴스\n\n로봇 공동 개발\n\n입력 2023.02.08 09:00\n\n"
        "가온텔레콤은 이스라엘 다라로보틱스와 500만달러 규모 돌봄로봇 공동 R&D 협약을 체결했다."
    )
    assert any("partnership" in d["kinds"] for d in deals)


def test_a_foreign_ministry_keeps_its_country():
    deals = deals_of(
        "산업뉴스\n\n한-노르웨이 협력\n\n입력 2023.02.08 09:00\n\n"
        "산업통상자원부 장관과 노르웨이 외교부 장관이 참석한 가운데 가온텔레콤은 노르웨이 다라로보틱스와 "
        "500만달러 규모의 협약을 체결했다."
    )
    bodies = {g["name"]: g["country"] for d in deals for g in d["government"]}
    assert "외교부" not in bodies
    assert bodies.get("노르웨이 외교부", "NO") == "NO" and bodies.get("산업통상자원부") == "KR"


@pytest.mark.parametrize(
    "text, date",
    [
        ("Business Wire\n\nCathode plant\n\n"
         "SEOUL, Nov 16, 2022 - Brightwell Cells Inc., a US maker, will invest $1.2bn to build a plant in Pohang.\n"
         "Brightwell signed a memorandum of understanding on Tuesday with Pohang City at a ceremony in Seoul.",
         "2022-11-15"),
        ("바이오뉴스\n\n기술이전 계약\n\n입력 2022.03.10 09:00\n\n"
         "가온바이오는 미국 다라파마와 후보물질의 기술이전 계약을 체결했다고 10일 공시했다. "
         "계약은 현지시간 9일 미국 보스턴에서 이뤄졌다.",
         "2022-03-09"),
    ],
    ids=["dateline, then the signing's weekday", "announced on the 10th, signed on the 9th"],
)  # fmt: skip
def test_a_later_sentence_that_dates_the_signing_wins_over_the_pages_own_date(text, date):
    assert [d["date"] for d in deals_of(text)] == [date]


def test_an_event_a_byline_and_a_companys_seat_are_no_parties():
    deals = deals_of(
        "Tech Deals\n\nKorean and Norwegian firms sign deals\n\nBy Ada Marrow | June 13, 2023\n\n"
        "Two technology deals were signed on Monday at the Korea-Norway Open Innovation Day, a matchmaking event.\n"
        "Hanbit Robotics Co., Ltd. signed a licensing agreement with Fjordline Motion AS of Stavanger."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert {"Hanbit Robotics Co., Ltd.", "Fjordline Motion AS"} <= names
    assert not {"Ada Marrow", "Korea-Norway Open Innovation Day", "Stavanger"} & names


def test_an_announced_agreement_with_its_sum_before_it_concludes_but_an_announced_plan_does_not():
    signed = deals_of(
        "Biotech\n\nLicensing deals\n\n"
        "On March 17, Brightwell Bio announced a $1.35 billion licensing agreement with Norrland Pharma, the R&D "
        "subsidiary of a British group."
    )
    assert {"Brightwell Bio", "Norrland Pharma"} <= {p["name"] for d in signed for p in d["parties"]}
    planned = deals_of(
        "Biotech\n\nPlans\n\nOn March 17, Brightwell Bio announced a plan to sign a licensing agreement with "
        "Norrland Pharma."
    )
    assert planned == []


def test_small_and_medium_stays_in_a_bodys_name_and_a_plural_acronym_is_no_company():
    deals = deals_of(
        "Defence and SMEs\n\nDeals\n\n"
        "Norland on Monday signed a memorandum of understanding with Korea's Small and Medium Business "
        "Administration (SMBA) for a joint $80 million fund.\n"
        "Hanbit Shipyards signed a $300 million contract to build MCMVs for the Norland navy."
    )
    bodies = {g["name"] for d in deals for g in d["government"]}
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "Small and Medium Business Administration" in bodies
    assert "MCMVs" not in names and "Hanbit Shipyards" in names


def test_an_investor_described_as_a_joint_venture_does_not_make_the_deal_one():
    deals = deals_of(
        "지역경제\n\n대구시, 전기 이동수단·로봇 기업 2곳과 270억원 투자 양해각서 체결\n\n입력 2019.04.03 09:00\n\n"
        "대구시는 3일 시청에서 가람모빌리티, 다온로보텍과 투자 양해각서를 체결했다고 밝혔다.\n"
        "이번 협약에 따라 한미합작기업인 가람모빌리티는 200억원을 들여 전기자전거 제조시설을 건립한다.\n"
        "한미합작으로 설립된 다온로보텍도 70억원을 들여 산업용 로봇 생산시설을 설립한다."
    )
    assert deals and not any("joint_venture" in d["kinds"] for d in deals)


def test_a_counterparty_described_as_a_joint_venture_company_does_not_make_the_deal_one():
    deals = deals_of(
        "Pharma\n\nLicence out\n\n"
        "Hanbit Bio said Thursday it has signed a technology transfer agreement with a Chinese joint venture "
        "company, Quillon Therapeutics, worth $58 million."
    )
    assert deals and deals[0]["kinds"] == ["technology_transfer"]


def test_a_kind_named_after_a_hedge_in_the_same_sentence_is_not_the_deals():
    deals = deals_of(
        "Pharma\n\nLicence\n\n"
        "Hanbit Bio signed a technology transfer agreement with Quillon Pharma worth $58 million.\n"
        "Its chief executive said he is pleased to sign the contract, which could become an opportunity to expand "
        "its partnerships with other global players."
    )
    assert deals and "partnership" not in deals[0]["kinds"] and "technology_transfer" in deals[0]["kinds"]


def test_the_us_written_with_dots_before_a_noun_is_no_company():
    deals = deals_of(
        "Chips\n\nGrant signed\n\n"
        "Hanbit Semiconductor signed a memorandum with the Department of Commerce for $6.4 billion in direct "
        "funding to strengthen the U.S. semiconductor supply chain and advance U.S. technology leadership."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "Hanbit Semiconductor" in names and not {"U.S", "U.S."} & names


def test_a_zone_is_no_public_body():
    deals = deals_of(
        "지역경제\n\n대구시, 의료기기 기업 2곳과 투자 양해각서 체결\n\n입력 2019.04.03 09:00\n\n"
        "대구시는 3일 시청에서 가람메디칼과 200억원 규모의 투자 양해각서를 체결했다고 밝혔다.\n"
        "청장은 “기업 유치가 진행 중인 수성의료지구와 경산산업지구에 가람메디칼이 연구시설을 짓는다”고 말했다."
    )
    bodies = {g["name"] for d in deals for g in d["government"]}
    assert "대구시" in bodies and "수성의료지구" not in bodies


def test_a_province_named_only_as_a_topic_in_a_later_sentence_is_not_the_deals_body():
    deals = deals_of(
        "산업뉴스\n\n외국기업 2곳, 1억달러 투자 양해각서\n\n입력 2006.06.09 15:03\n\n"
        "산업부 차관은 9일 서울에서 독일 다라케미사 대표와 5천만달러 규모의 투자 양해각서(MOU)를 맺었다고 밝혔다.\n"
        "산업부는 MOU 체결에 이어 외국인투자기업 포럼을 개최하고 지원제도, 강원도의 투자환경 등을 소개했다."
    )
    bodies = {g["name"] for d in deals for g in d["government"]}
    assert "산업부" in bodies and "강원도" not in bodies


def test_this_investments_own_total_is_kept():
    deals = deals_of(
        "경제신문\n\n새만금청, 중국 태양광 기업과 2000억원 규모 투자협약 체결\n\n입력 2015.06.11 09:00\n\n"
        "새만금청은 11일 서울에서 중국 다라솔라사와 투자협약을 체결했다고 밝혔다.\n"
        "이번 투자는 우선 1500억 원이 투자되는 1단계 사업을 시작으로, 2단계 등 총 2000억 원 이상이 투입된다."
    )
    assert ("KRW", "200000000000") in {(a["currency"], a["value"]) for d in deals for a in d["amounts"]}


def test_a_lead_shorter_than_a_content_line_is_read_as_the_body():
    deals = deals_of(
        "경제신문\n\n태양광 투자 협약\n\n입력 2015.06.11 09:00\n\n"
        "새만금청은 11일 중국 다라솔라사와 투자협약을 체결했다.\n"
        "다라솔라사는 2단계에 걸쳐 총 2000억 원 이상을 투자해 모듈 공장과 셀 제조시설을 짓는다."
    )
    assert "다라솔라" in {p["name"] for d in deals for p in d["parties"]}


def test_a_country_in_an_apposition_before_the_name_places_the_company():
    parties = party_countries(
        "Newswire\n\nCar plant\n\n"
        "New Delhi (Newswire) Hanbit Motors will set up a car manufacturing facility in Andhra Pradesh with a total "
        "investment of $2 billion, after it signed a memorandum of understanding with the state.\n"
        "South Korea’s third largest vehicle manufacturer, Hanbit’s annual revenue is $45 billion."
    )
    assert parties.get("Hanbit Motors") == "KR"


def test_a_company_listed_on_koreas_own_markets_is_korean():
    parties = party_countries(
        "Biotech\n\nLicensing\n\n"
        "On March 17, Brightwell Bio, the largest company by market capitalization on the Kosdaq, announced a "
        "$1.35 billion licensing agreement with Norrland Pharma."
    )
    assert parties.get("Brightwell Bio") == "KR"


def test_a_japanese_prefecture_before_a_name_places_the_company():
    parties = party_countries(
        "지역경제\n\n충남도, 일본 기업과 1000만 달러 투자 양해각서 체결\n\n입력 2011.06.11 09:00\n\n"
        "충남도 투자유치사절단이 지난 8일 일본을 방문, 시즈오카현 다라케미칼사에서 사장과 1000만 달러 규모의 "
        "투자양해각서(MOU)를 체결했다."
    )
    assert parties.get("다라케미칼") == "JP"


def test_a_one_syllable_name_in_quotes_glued_to_sa_is_a_party():
    parties = party_countries(
        "국제경제\n\n일본 기업 해외 인수\n\n입력 2010.10.21 09:00\n\n"
        "이날 일본 통신업체 가온데이터는 미국 IT 기업인 '돈'사를 1000억엔에 인수하기로 했다."
    )
    assert parties.get("돈") == "US"
    assert "IT" not in parties


def test_a_joint_venture_partner_whose_name_ends_like_a_province_is_a_party():
    deals = deals_of(
        "산업뉴스\n\n유럽 기업 투자 협약\n\n입력 2011.03.11 09:00\n\n"
        "산업부는 독일 뮌헨에서 유럽 기업 2곳과 투자 양해각서(MOU)를 체결했다고 10일 밝혔다.\n"
        "독일 다라모텍사는 세진도와 합작해 모터 공장을 인천 송도에 짓는다. 공장 건설에 3,000만달러를 투입한다."
    )
    names = {p["name"] for d in deals for p in d["parties"]}
    assert {"다라모텍", "세진도"} <= names
    assert "세진도" not in {g["name"] for d in deals for g in d["government"]}


def test_a_long_transliterated_name_after_a_country_keeps_all_its_words_but_not_its_descriptor():
    parties = party_countries(
        "산업뉴스\n\n치과 기업 수출 계약\n\n입력 2017.03.25 09:00\n\n"
        "가온덴탈은 독일 쾰른의 치과전시회에 참석, 이탈리아의 바르고 알도 앤 피넬리(Bargo Aldo & Finelli S.r.l.), "
        "해저케이블 전문기업 벤트마르크 카벨(Wendmark Kabel GmbH)과 각각 100만 달러 규모의 수출 계약을 체결했다."
    )
    assert parties.get("바르고 알도 앤 피넬리") == "IT"
    assert "벤트마르크 카벨" in parties and not any(n.startswith("해저케이블") for n in parties)


def test_an_acronym_glossed_by_a_public_bodys_name_is_that_body_not_a_company():
    deals = deals_of(
        "지역경제\n\n제주도, 중국 기업과 5억불 투자 양해각서 체결\n\n입력 2015.10.31 09:00\n\n"
        "제주도는 KDC(제주관광개발센터)와 지난 30일 상하이에서 중국 다라그룹과 투자양해각서(MOU)를 체결했다."
    )
    bodies = {g["name"] for d in deals for g in d["government"]}
    names = {p["name"] for d in deals for p in d["parties"]}
    assert "제주관광개발센터" in bodies and "KDC" not in names
