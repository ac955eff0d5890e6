import pytest

from deals.matching import name_keys, similarity, suggest_duplicates


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("제이케이엘", "JKL Co., Ltd."),  # Latin letters spelt in Hangul
        ("㈜에스티엑스", "STX"),
        ("Вектра", "Vektra GmbH"),  # Cyrillic transliteration
        ("벡트라", "Vektra"),  # Hangul has no v: ㅂ reads as b
        ("Invented Robotics Ltd", "INVENTED ROBOTICS"),
    ],
)
def test_names_of_one_company_in_two_scripts_are_similar(a, b):
    assert similarity(a, b) >= 86


@pytest.mark.parametrize(("a", "b"), [("SK", "SKC"), ("Hanwha", "Hanmi"), ("가나다전자", "라마바전자"), ("KT", "LG")])
def test_different_companies_are_not_suggested(a, b):
    assert similarity(a, b) < 86


def test_keys_ignore_legal_forms():
    assert name_keys("JKL Co., Ltd.") == name_keys("JKL") == name_keys("㈜JKL")


def test_suggestions_are_pairs_of_distinct_entities_best_first():
    found = suggest_duplicates(
        {1: ["제이케이엘"], 2: ["JKL Inc"], 3: ["Вектра"], 4: ["Vektra AG", "벡트라"], 5: ["Other"]}
    )
    assert [(s.left, s.right) for s in found] == [(1, 2), (3, 4)]
