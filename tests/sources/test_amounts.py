from decimal import Decimal

import pytest

from sources.extraction.amounts import find_amounts, parse_cjk_number, parse_number

D = Decimal
# (text, language, [(value, currency), ...] of the first group: the sum then its equivalents)
CASES = [
    ("300만불", "ko", [(D("3000000"), "USD")]),
    ("300만불(한화 약 33억원)", "ko", [(D("3000000"), "USD"), (D("3300000000"), "KRW")]),
    ("3억 달러", "ko", [(D("300000000"), "USD")]),
    ("2천900만 달러(약 300억원)", "ko", [(D("29000000"), "USD"), (D("30000000000"), "KRW")]),
    ("1조2천억원", "ko", [(D("1200000000000"), "KRW")]),
    ("147억3천890만원", "ko", [(D("14738900000"), "KRW")]),
    ("50억 엔", "ko", [(D("5000000000"), "JPY")]),
    ("1억 위안", "ko", [(D("100000000"), "CNY")]),
    ("2천만 유로", "ko", [(D("20000000"), "EUR")]),
    ("33억원", "ko", [(D("3300000000"), "KRW")]),
    ("1억4천만 달러(약 1천860억원)", "ko", [(D("140000000"), "USD"), (D("186000000000"), "KRW")]),
    ("9천만 달러", "ko", [(D("90000000"), "USD")]),
    ("100억 엔(약 7천300만 달러)", "ko", [(D("10000000000"), "JPY"), (D("73000000"), "USD")]),
    ("1억 위안(약 173억원)", "ko", [(D("100000000"), "CNY"), (D("17300000000"), "KRW")]),
    ("5억불", "ko", [(D("500000000"), "USD")]),
    ("2조4천억원", "ko", [(D("2400000000000"), "KRW")]),
    ("1.5조원", "ko", [(D("1500000000000"), "KRW")]),
    ("3,000억원", "ko", [(D("300000000000"), "KRW")]),
    ("1천500만 달러(약 153억원)", "ko", [(D("15000000"), "USD"), (D("15300000000"), "KRW")]),
    ("4천만 루블", "ko", [(D("40000000"), "RUB")]),
    ("500만 파운드", "ko", [(D("5000000"), "GBP")]),
    ("1억 4천만 달러", "ko", [(D("140000000"), "USD")]),
    ("120억원", "ko", [(D("12000000000"), "KRW")]),
    ("10억 달러", "ko", [(D("1000000000"), "USD")]),
    ("$3 million", "en", [(D("3000000"), "USD")]),
    ("$1.2bn", "en", [(D("1200000000"), "USD")]),
    ("€50m", "en", [(D("50000000"), "EUR")]),
    ("USD 3.5 million", "en", [(D("3500000"), "USD")]),
    ("150 million yuan ($21m)", "en", [(D("150000000"), "CNY"), (D("21000000"), "USD")]),
    ("$400m", "en", [(D("400000000"), "USD")]),
    ("US$25 million", "en", [(D("25000000"), "USD")]),
    ("$45 million", "en", [(D("45000000"), "USD")]),
    ("£12.5m", "en", [(D("12500000"), "GBP")]),
    ("Rs 500 crore (about $60 million)", "en", [(D("5000000000"), "INR"), (D("60000000"), "USD")]),
    ("KRW 1.1 trillion ($830m)", "en", [(D("1100000000000"), "KRW"), (D("830000000"), "USD")]),
    ("$1.8 million", "en", [(D("1800000"), "USD")]),
    ("€1.6bn", "en", [(D("1600000000"), "EUR")]),
    ("2.5 billion roubles", "en", [(D("2500000000"), "RUB")]),
    ("$300,000", "en", [(D("300000"), "USD")]),
    ("$2,500,000", "en", [(D("2500000"), "USD")]),
    ("EUR 20 million", "en", [(D("20000000"), "EUR")]),
    ("10 billion yen", "en", [(D("10000000000"), "JPY")]),
    ("30 million euros", "en", [(D("30000000"), "EUR")]),
    ("¥5bn", "en", [(D("5000000000"), "JPY")]),
    ("$750k", "en", [(D("750000"), "USD")]),
    ("1,2 млрд рублей", "ru", [(D("1200000000"), "RUB")]),
    ("1,2 млрд рублей (около 13 млн долларов)", "ru", [(D("1200000000"), "RUB"), (D("13000000"), "USD")]),
    ("800 млн рублей", "ru", [(D("800000000"), "RUB")]),
    ("64 млрд рублей", "ru", [(D("64000000000"), "RUB")]),
    ("5 миллионов долларов", "ru", [(D("5000000"), "USD")]),
    ("2,5 млн евро", "ru", [(D("2500000"), "EUR")]),
    ("50 Mio. Euro", "de", [(D("50000000"), "EUR")]),
    ("1,2 Mrd. Euro", "de", [(D("1200000000"), "EUR")]),
    ("30 Milliarden Euro", "de", [(D("30000000000"), "EUR")]),
    ("3 Millionen Euro", "de", [(D("3000000"), "EUR")]),
    ("2900万ドル", "ja", [(D("29000000"), "USD")]),
    ("2900万ドル（約42億円）", "ja", [(D("29000000"), "USD"), (D("4200000000"), "JPY")]),
    ("186億円", "ja", [(D("18600000000"), "JPY")]),
    ("約1兆円", "ja", [(D("1000000000000"), "JPY")]),
    ("1.5亿元", "zh", [(D("150000000"), "CNY")]),
    ("1.5亿元人民币（约合2060万美元）", "zh", [(D("150000000"), "CNY"), (D("20600000"), "USD")]),
    ("8亿元", "zh", [(D("800000000"), "CNY")]),
    ("5000万美元", "zh", [(D("50000000"), "USD")]),
    ("450亿元", "zh", [(D("45000000000"), "CNY")]),
]


@pytest.mark.parametrize(("text", "language", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_written_form_of_a_sum_parses_to_its_exact_value(text, language, expected):
    found = find_amounts(text, language=language)
    assert found, f"no amount found in {text!r}"
    group = [(found[0].value, found[0].currency)] + [(a.value, a.currency) for a in found[0].alternates]
    assert group == expected


def test_the_table_covers_at_least_sixty_forms():
    assert len(CASES) >= 60


def test_estimated_sums_are_flagged():
    assert find_amounts("약 300억원", language="ko")[0].estimated
    assert find_amounts("about $60 million", language="en")[0].estimated
    assert not find_amounts("$60 million", language="en")[0].estimated


def test_words_that_merely_start_with_won_are_not_money():
    assert find_amounts("원천기술 4건과 원료 공급", language="ko") == []


def test_two_separate_sums_stay_two_groups():
    found = find_amounts("3억 달러를 투자하고 2천만 유로를 추가로 낸다", language="ko")
    assert [(m.value, m.currency) for m in found] == [(D("300000000"), "USD"), (D("20000000"), "EUR")]


def test_cjk_numerals_with_mixed_digits():
    assert parse_cjk_number("3억5천만") == D("350000000")
    assert parse_cjk_number("1조2천억") == D("1200000000000")


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "value"),
    [("1,200", False, D("1200")), ("1,2", True, D("1.2")), ("3.500.000", True, D("3500000")), ("1.5", False, D("1.5"))],
)
def test_number_separators_by_convention(raw, decimal_comma, value):
    assert parse_number(raw, decimal_comma=decimal_comma) == value
