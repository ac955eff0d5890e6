"""The learned decisions: a model file of general features, trained deterministically, applied in
pure Python; invented cases in six languages. Every company and article here is invented."""

import json
import re

import pytest

from sources.extraction import extract_text, learned, read_text, training
from sources.extraction.learned import Decider, Logistic

# Each case: an invented article, the parties a reader finds in it, and words that are no party.
CASES = {
    "en-legal-forms-and-dateline": (
        "SEOUL, May 4, 2026 - Korea's Hanbit Materials Co., Ltd. signed a joint venture agreement with Nordvik "
        "Robotics AB of Sweden on Monday, the companies said.",
        ["Hanbit Materials", "Nordvik Robotics"],
        ["SEOUL", "Monday"],
    ),
    "en-headline-byline-published": (
        "Nordvik Robotics and Hanbit Materials form battery venture\nPublished May 4, 2026\nBy Jane Doe | Daegu "
        "Herald\nSEOUL - Hanbit Materials Co., Ltd. signed a joint venture agreement with Sweden's Nordvik Robotics "
        "AB on Monday. The Korea Trade-Investment Promotion Agency brokered the deal.",
        ["Hanbit Materials", "Nordvik Robotics"],
        ["Published", "Jane Doe", "Daegu Herald", "Korea Trade-Investment Promotion Agency"],
    ),
    "en-descriptors-and-coordination": (
        "BUSAN, June 2, 2026 - Swedish robot maker Nordvik Robotics and Korean battery firm Hanbit Materials signed "
        "a memorandum of understanding with Busan Metropolitan City on Tuesday to invest $40 million in a plant.",
        ["Nordvik Robotics", "Hanbit Materials"],
        ["Nordvik Robotics and Korean", "Busan Metropolitan City"],
    ),
    "ko-descriptor-and-common-words": (
        "[부산=가나일보] 스웨덴의 로봇기업 노르드빅로보틱스사가 부산시와 4천만달러 규모의 투자협약(MOU)을 체결했다고 2일 "
        "밝혔다. 협약식에는 김가나 부산시장과 욘 닐센 노르드빅로보틱스 대표가 참석했다.",
        ["노르드빅로보틱스"],
        ["부산시", "김가나", "가나일보"],
    ),
    "ko-legal-form": (
        "㈜한빛소재는 독일의 화학기업인 뮐러테크사와 합작법인 설립 계약을 체결했다고 3일 밝혔다.",
        ["한빛소재", "뮐러테크"],
        [],
    ),
    "ja-legal-form-and-person": (
        "青葉精機株式会社は4日、忠清北道と5000万ドルの投資協約を結んだ。同社の山田太郎社長が署名した。",
        ["青葉精機株式会社"],
        ["忠清北道", "山田太郎"],
    ),
    "zh-group": ("德国克劳斯集团与江苏省政府签署投资协议，投资金额为3亿美元。", ["克劳斯集团"], ["江苏省政府"]),
    "ru-legal-form-and-descriptor": (
        "ООО «Северный Гранит» и китайская компания «Лунхай» подписали соглашение о создании совместного "
        "предприятия в Новосибирске.",
        ["Северный Гранит", "Лунхай"],
        ["Новосибирске"],
    ),
    "de-legal-form": (
        "Die Grauwerk AG und die koreanische Hanbit Materials haben einen Vertrag über ein Gemeinschaftsunternehmen "
        "in Sachsen unterzeichnet.",
        ["Grauwerk", "Hanbit Materials"],
        ["Sachsen"],
    ),
}

# Invented annotated pages: enough of each class for the three models.
PAGES = [
    ("en-a", "SEOUL, May 4, 2026 - Korea's Hanbit Materials Co., Ltd. signed a joint venture agreement with "
             "Nordvik Robotics AB of Sweden on Monday.", ["Hanbit Materials", "Nordvik Robotics AB"]),
    ("en-b", "BUSAN, June 2, 2026 - Dutch equipment maker Veldhoven Instruments B.V. signed an investment agreement "
             "with Busan Metropolitan City on Tuesday to invest $40 million. Market Watch said the market grew.",
     ["Veldhoven Instruments"]),
    ("en-c", "Analysts expect the market to grow. Hanbit Materials Co., Ltd. is considering a plan to sign "
             "an agreement with Nordvik Robotics AB next year.", []),
    ("en-d", "TOKYO, July 1, 2026 - Aoba Seiki Co., Ltd. and Grauwerk AG signed a licensing agreement on "
             "Wednesday. Chairman Taro Yamada attended.", ["Aoba Seiki", "Grauwerk AG"]),
    ("ko-a", "㈜한빛소재는 독일의 화학기업인 뮐러테크사와 합작법인 설립 계약을 체결했다고 3일 밝혔다.", ["한빛소재", "뮐러테크사"]),
    ("ko-b", "스웨덴의 로봇기업 노르드빅로보틱스사가 부산시와 4천만달러 규모의 투자협약을 체결했다. 핫뉴스 시장진출 계약금",
     ["노르드빅로보틱스"]),
]  # fmt: skip


def _names(result: dict) -> list[str]:
    return [p["name"] for d in result["deals"] for p in d["parties"]]


def _found(expected: str, names: list[str]) -> bool:
    key = learned.normalize_name(expected)
    return any(training._same(key, learned.normalize_name(n)) for n in names)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_shipped_model_finds_the_parties_and_no_word_that_is_none(case):
    text, parties, not_parties = CASES[case]
    names = _names(extract_text(text).to_dict())
    for p in parties:
        assert _found(p, names), (p, names)
    keys = {learned.normalize_name(n) for n in names}
    for w in not_parties:
        assert learned.normalize_name(w) not in keys, (w, names)


def test_the_shipped_model_reads_general_features_only_never_a_name():
    data = json.loads(learned.MODEL_PATH.read_text(encoding="utf-8"))
    assert set(data["models"]) == {"party", "body", "deal", "country"}
    for model in data["models"].values():
        for feature in model["weights"]:
            # Feature names are the code's own identifiers (and the values of closed sets:
            # languages, scripts, generators, kinds), never a word of a candidate.
            assert re.fullmatch(r"[a-z_]+(?:=[a-z_]+)?", feature), feature


def test_a_model_file_is_json_weights_and_refuses_what_it_does_not_know():
    decider = Decider({"party": Logistic({"legal_form": 2.0}, -1.0, threshold=0.4)}, "v")
    again = Decider.from_json(decider.to_json())
    assert again.models["party"].probability({"legal_form": 1.0}) == pytest.approx(1 / (1 + 2.718281828**-1))
    with pytest.raises(ValueError, match="unknown model kind"):
        Decider.from_json(json.dumps({"models": {"pickle": {"weights": {}, "intercept": 0}}}))


def test_calibration_maps_a_probability_onto_the_observed_share_in_order():
    model = Logistic({}, 0.0, calibration=[(0.1, 0.2), (0.5, 0.5), (0.9, 0.95)])
    values = [model.calibrated(p / 10) for p in range(11)]
    assert values == sorted(values)
    assert model.calibrated(0.0) == 0.2 and model.calibrated(1.0) == 0.95
    assert model.calibrated(0.3) == pytest.approx(0.35)


def test_without_a_model_the_rules_alone_decide_and_the_wider_net_adds_nobody():
    reading = read_text(CASES["ko-descriptor-and-common-words"][0])
    from sources.extraction import assemble

    rules = assemble(reading, Decider.keep_all()).to_dict()
    assert {p["name"] for d in rules["deals"] for p in d["parties"]} == {
        c.name for f in reading.frames for c in f.companies
    }


def _pages() -> list[training.Page]:
    out = []
    for name, text, parties in PAGES:
        gold = {"deals": [{"parties": [{"names": [p]} for p in parties]}] if parties else []}
        out.append(training.Page(name, name.split("-")[0], text, gold))
    return out


def test_training_twice_on_the_same_pages_gives_the_same_bytes():
    first = training.train(_pages(), version="t").to_json()
    second = training.train(_pages(), version="t").to_json()
    assert first == second
    assert set(json.loads(first)["models"]) >= {"party"}


def test_cross_validation_predicts_every_page_with_a_model_that_did_not_see_it(monkeypatch):
    seen: list[set[str]] = []
    real_train = training.train

    def spy(pages, **kw):
        seen.append({p.name for p in pages})
        return real_train(pages, **kw)

    monkeypatch.setattr(training, "train", spy)
    pages = _pages()
    predictions = training.cross_validate(pages, k=3)
    assert sorted(p["file"] for p in predictions) == sorted(f"{n}.txt" for n, _, _ in PAGES)
    folds = training.folds_of(pages, 3)
    for k, names in enumerate(seen):
        assert names.isdisjoint({p.name for p, f in zip(pages, folds, strict=True) if f == k})


@pytest.mark.parametrize(
    "case, expected",
    [
        ("en-legal-forms-and-dateline", {"Hanbit Materials Co., Ltd.": "KR", "Nordvik Robotics AB": "SE"}),
        ("de-legal-form", {"Grauwerk AG": "DE", "Hanbit Materials": "KR"}),
        ("ko-legal-form", {"한빛소재": "KR", "뮐러테크사": "DE"}),
        ("ru-legal-form-and-descriptor", {"Лунхай": "CN"}),
    ],
)
def test_the_country_model_places_each_party_by_the_text_and_its_name(case, expected):
    parties = {p["name"]: p["country"] for d in extract_text(CASES[case][0]).to_dict()["deals"] for p in d["parties"]}
    for name, country in expected.items():
        assert parties.get(name) == country, parties
