"""Japanese: Sudachi's morphological analysis (sudachipy with sudachidict-core, both on PyPI,
offline), in its longest split so a company name stays one word.

A name is a run of nouns that holds a proper noun (固有名詞, not a place or a person) or that a
company noun just before it introduces ("化学メーカー、X"), standing where a party stands
(before は/が/と/の/、/(…)). Places (…道, …県, ホテル), persons (人名, a title after) and public
bodies (…部, …省, …庁) are not names.
"""

import re
from functools import lru_cache

from .. import lexicon as lx
from . import Name

_PARTY_AFTER = re.compile(r"^(?:は|が|と|の|、|・|社|側|\(|（|など|を|に|から)")
_PLACE_END = re.compile(r"(?:道|県|府|都|市|町|村|区|州|省|ホテル|工場|団地|センター|大学|港)$")
_TITLE_AFTER = re.compile(r"^(?:\([^)]{1,20}\))?(?:知事|社長|会長|代表|長官|大臣|市長|氏|取締役|CEO|理事長|総裁)")
_COMPANY_NOUN = re.compile(r"(?:メーカー|企業|会社|大手|グループ)、?$")
# A run of common nouns that ends like a company's name ("北星電子", "青葉精機") is one.
_COMPANY_END = re.compile(
    r"(?<=.{2})(?:電子|電機|電気|工業|化学|化成|精機|工機|製作所|商事|物産|重工|製薬|薬品|自動車|技研|産業|興産|通商|"
    r"ホールディングス|テクノ|システムズ?|エンジニアリング)$"
)
_GENERIC = re.compile(r"^(?:同社|両社|各社|当社|日本企業|韓国企業|外国企業|投資|協約|契約|MOU)$")


@lru_cache(maxsize=1)
def _tokenizer():
    """Sudachi's tokenizer with the core dictionary, loaded once per process (~0.1 s, mmap'd)."""
    from sudachipy import Dictionary

    return Dictionary(dict="core").tokenizer()


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    from sudachipy import SplitMode

    tok = _tokenizer()
    out: list[Name] = []
    for a, b in spans:
        sentence = text[a:b]
        morphemes = list(tok.tokenize(sentence, SplitMode.C))
        i = 0
        while i < len(morphemes):
            if morphemes[i].part_of_speech()[0] != "名詞":
                i += 1
                continue
            j = i
            while j < len(morphemes) and morphemes[j].part_of_speech()[0] == "名詞":
                j += 1
            run = morphemes[i:j]
            # Country, place and person words open a run without belonging to the name.
            country = None
            while run and (_is_country(run[0].surface()) or run[0].part_of_speech()[2] == "人名"):
                country = country or (lx.country_of(run[0].surface()) if _is_country(run[0].surface()) else None)
                run = run[1:]
            i = j
            if not run:
                continue
            s, e = run[0].begin(), run[-1].end()
            name = sentence[s:e]
            before, after = sentence[max(0, s - 12) : s], sentence[e:]
            proper = (
                any(m.part_of_speech()[1] == "固有名詞" and m.part_of_speech()[2] == "一般" for m in run)
                or (
                    # an unknown katakana name ("カワセテクノ"), alone or before a common noun ("サクラダ化学")
                    re.match(r"^[\u30a0-\u30ff]{3,}", name) is not None
                )
                or (len(run) >= 2 and run[0].part_of_speech()[1] == "固有名詞")
                or bool(_COMPANY_END.search(name))
            )
            latin = re.fullmatch(r"[A-Z][A-Za-z0-9&.-]+", name)
            introduced = bool(_COMPANY_NOUN.search(before))
            if not ((proper or introduced or (latin and country)) and _PARTY_AFTER.match(after)):
                continue
            if (
                len(name) < 2
                or _PLACE_END.search(name)
                or _GENERIC.match(name)
                or _TITLE_AFTER.match(after)
                or re.fullmatch(r"(?:知事|社長|会長|代表|長官|大臣|市長|取締役|理事長|総裁)", name)
            ):
                continue
            if lx.is_place(name) or lx.is_government_name(name) or re.search(r"(?:部|省|庁|公社|振興会|機構)$", name):
                continue
            if all(m.part_of_speech()[2] in ("人名", "地名") for m in run):
                continue  # a person or a place alone
            out.append(Name(a + s, a + e, name, country or _country_before(sentence[max(0, s - 20) : s])))
    return out


_is_country = lx.is_country_word


def _country_before(before: str) -> str | None:
    m = re.search(r"(日本|韓国|米国|中国|ドイツ|英国|フランス|台湾)の?(?:[^\s、。]{0,10})$", before)
    return lx.country_of(m.group(1)) if m else None


@lru_cache(maxsize=4096)
def tags(name: str) -> dict[str, float]:
    """What Sudachi makes of a candidate name on its own (the learned decisions read it): shares
    of common nouns, proper nouns, persons and places among its morphemes."""
    tokens = [m for m in _tokenizer().tokenize(name) if m.part_of_speech()[0] not in ("補助記号", "空白")]
    if not tokens:
        return {}
    n = len(tokens)
    pos = [m.part_of_speech() for m in tokens]
    return {
        "tag_common": sum(p[0] == "名詞" and p[1] == "普通名詞" for p in pos) / n,
        "tag_proper": sum(p[1] == "固有名詞" for p in pos) / n,
        "tag_person": sum(p[2] == "人名" for p in pos) / n,
        "tag_place": sum(p[2] == "地名" for p in pos) / n,
        "tag_verbal": sum(p[0] in ("動詞", "助詞", "助動詞", "形容詞") for p in pos) / n,
        "tag_pieces": min(n, 6) / 6,
    }
