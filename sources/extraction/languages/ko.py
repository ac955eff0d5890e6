"""Korean: Kiwi's morphological analysis (kiwipiepy, model shipped on PyPI, offline).

A name is a run of nouns in one word (어절) that holds a proper noun (NNP), Latin letters (SL) or
Hanja (SH), or that a cue marks as a company whatever Kiwi makes of it: a country just before it
("독일 바커", "美 X"), a company noun before it ("반도체 장비업체 X"), 사/측 glued after it
("X사와"). It must stand where a party stands: before 과/와/는/은/이/가/측/사, in a list with a
comma or 등, or after a cue. Persons (a title follows), places and public bodies are not names.
"""

import re
from functools import lru_cache

from .. import lexicon as lx
from . import Name

_NOUN_TAGS = ("NNP", "NNG", "SL", "SH", "SN", "XSN", "XPN", "NR", "W_HASHTAG")
_PROPER_TAGS = ("NNP", "SL", "SH")
# What may follow a party in a deal sentence: case/topic particles, a list comma, 등, 측/사.
_PARTY_AFTER = re.compile(
    r"^(?:과|와|는|은|이|가|와의|과의|와도|과도|측|사|로부터|으로부터|에게|등|,|·|ㆍ|\s?[(（]|\s\d[\d,.]*\s?(?:조|억|만|천)?\S*(?:달러|원|유로|엔))"
)
_COMMON_TAIL = re.compile(
    r"(?:기술|체결|투자|개발|협력|사업|산업|분야|관계자|대통령|총리|장관|지사|시장|회장|사장|대표|필드|공장|단지)$"
)
_SUM_AFTER = re.compile(r"^\s\d[\d,.]*\s?(?:조|억|만|천|백만)?\S*(?:달러|원|유로|엔)")
_PLACE_END = re.compile(
    r"(?:현|성|주|시|도|군|구|읍|면|동|리|단지|산업단지|공단|지구|클러스터|밸리|센터|공장|본사|호텔|대학교?|연구원|"
    r"박람회|포럼|회의|행사|설명회|상담회|전시회|사절단|대표단|시장|지역|국가|정부)$"
)
_GENERIC = re.compile(
    r"^(?:양사|양측|측(?:은|는|이|가|도|의|과|와)?|3사|삼사|회사|기업|업체|그룹|본사|법인|지사|자회사|계열사|협약|계약|투자|협력|사업|공장|기술|제품|정부|"
    r"관계자|대표|사장|회장|장관|지사|시장|도지사|투자자|파트너|외국인|외투기업|외국기업|글로벌|세계|국내|해외|현지|"
    r"이번|올해|지난해|내년|당시|현재|최근|오전|오후|이날|전날|한편|또한|특히|이어|이후|향후|이로써|이에|이를|이와|"
    r"양해각서|투자협약|협약서|업무협약|협력약정|투자약정|의향서|총액|규모|금액|투자액|투자금|"
    r"우리나라|대통령|총리|관계자|MOU체결|그린필드|브라운필드|"
    r"대형|중견|최대|최초|매체|자금|장기간|친환경|언론|외신|업계|관계|당국|"
    r"서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주)$"
)
_TITLE_AFTER = re.compile(
    rf"^(?:\s?[(（][^)）]{{1,20}}[)）])?\s?(?:{lx.TITLE_WORDS}|씨\b|氏|님|교수|박사|의원|위원장|총리|대사|영사|지사|군수|구청장)"
)


@lru_cache(maxsize=1)
def kiwi():
    """Kiwi, loaded once per process and only when Korean text needs it (~1.5 s). Without the typo
    and multi-word dictionaries, which tagging names does not need: 338 MB resident, not 533 MB."""
    from kiwipiepy import Kiwi

    return Kiwi(load_typo_dict=False, load_multi_dict=False)


def _words(tokens, base: int):
    """Tokens grouped by 어절 (runs with no space between them), as (start, end, tokens)."""
    group: list = []
    for t in tokens:
        if t.tag in ("SP", "SF", "SSO", "SSC", "SE"):
            # "달러,로텐바흐": a comma with no space still ends a word
            if group:
                yield group
            yield []  # punctuation: no name runs across it
            group = []
            continue
        if group and t.start > group[-1].end:
            yield group
            group = []
        group.append(t)
    if group:
        yield group


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    out: list[Name] = []
    for a, b in spans:
        sentence = text[a:b]
        words = list(_words(kiwi().tokenize(sentence), a))
        prev_core = ""
        pending: tuple[int, list, str] | None = None  # a bare proper noun that the next word may continue

        for i, word in enumerate(words):
            if not word:
                out.extend(_held(sentence, a, words, pending))
                pending, prev_core = None, ""
                continue
            core = []
            for t in word:
                if t.tag in _NOUN_TAGS or (core and t.tag == "SO" and t.form in "&-"):
                    core.append(t)
                else:
                    break
            if not core:
                out.extend(_held(sentence, a, words, pending))
                prev_core, pending = "", None
                continue
            cued = bool(prev_core) and (_is_country(prev_core) or re.search(lx.COMPANY_NOUNS_KO + r"$", prev_core))
            bare = len(core) == len(word) and (any(t.tag in _PROPER_TAGS for t in core) or cued)
            if pending and (
                any(t.tag in _PROPER_TAGS for t in core[:1])
                or _PARTY_AFTER.match(sentence[core[-1].end : core[-1].end + 8])
            ):
                # "로텐바흐 하이드롤릭과", "Rotenbach Hydraulik": one name written in two words.
                core = pending[1] + core
            else:
                out.extend(_held(sentence, a, words, pending))
            pending = None
            whole = sentence[core[0].start : core[-1].end]
            # A word ending like a place (…시, …도) but no known town may open a two-word name: "미쓰비시 X사".
            known = lx.is_place(whole) or whole in lx.KO_PROVINCES or not re.search(r"(?:시|도)$", whole)
            place_like = known and (_PLACE_END.search(whole) or lx.is_government_name(whole))
            if bare and not (_is_country(whole) or place_like) \
                    and i + 1 < len(words):  # fmt: skip
                pending = (i, core, prev_core)
                continue
            country = lx.country_of(prev_core) if prev_core and _is_country(prev_core) else None
            found = _candidate(sentence, a, core, words, i, prev_core=prev_core, cue_country=country)
            prev_core = sentence[core[0].start : core[-1].end]
            if found:
                out.append(found)
        out.extend(_list_members(sentence, a, {n.text for n in out if a <= n.start < b}))
    return out


_LIST_RE = re.compile(r"(?:[^\s,·ㆍ]{2,20}\s?[,·ㆍ]\s?){1,20}[^\s,·ㆍ]{2,20}")
_ITEM_TAIL = re.compile(r"(?:사|측)?(?:과|와|는|은|이|가|등|을|를|의|에)?$")


def _list_members(sentence: str, a: int, accepted: set[str]) -> list[Name]:
    """In "A, B, C 등 14개사와", once two members are names, the others are names too, whatever
    Kiwi made of them (transliterations it does not know come out as common nouns)."""
    out = []
    for m in _LIST_RE.finditer(sentence):
        items = [(x.start(), x.group()) for x in re.finditer(r"[^\s,·ㆍ]+", m.group())]
        clean = [(pos, _ITEM_TAIL.sub("", item) if len(_ITEM_TAIL.sub("", item)) >= 2 else item) for pos, item in items]
        if sum(item in accepted for _, item in clean) < 2:
            continue
        for pos, item in clean:
            if item in accepted or re.match(r"^\d", item) or _GENERIC.match(item) or _PLACE_END.search(item):
                continue
            if _is_country(item) or lx.is_government_name(item) or lx.is_place(item):
                continue
            s = a + m.start() + pos
            out.append(Name(s, s + len(item), item))
    return out


def _held(sentence: str, a: int, words: list, entry: tuple[int, list, str] | None) -> list[Name]:
    """A held bare word read as a name on its own: the next word did not continue it."""
    if not entry:
        return []
    i, core, before = entry
    cue = lx.country_of(before) if _is_country(before) else None
    found = _candidate(sentence, a, core, words, i, prev_core=before, cue_country=cue)
    return [found] if found else []


def _candidate(sentence: str, a: int, core: list, words: list, i: int, *, prev_core: str,
               cue_country: str | None) -> Name | None:  # fmt: skip
    glued_particle = False
    if core[-1].tag == "NNP" and core[-1].end == (words[i][-1].end if i < len(words) else -1):
        # Kiwi sometimes reads an unknown name and its particle as one proper noun ("펠리온과").
        m = re.search(r"(?:과|와|는|은|을|를|의|에게|로부터)$", core[-1].form)
        if m and len(core[-1].form) - len(m.group()) >= 2:
            glued_particle = True
    # "가람프로텍사에서": the glued 사 says company and is not part of the name.
    glued_company = len(core) > 1 and core[-1].form in ("사", "측") and core[-1].tag in ("NNG", "XSN", "NNB")
    if glued_company:
        core = core[:-1]
    s, e = core[0].start, core[-1].end
    if glued_particle:
        e -= len(re.search(r"(?:과|와|는|은|을|를|의|에게|로부터)$", core[-1].form).group())
    name = sentence[s:e]
    after = sentence[e : e + 20]  # "몽타뉴 2억5천4백만달러": a sum written long
    following = next((w for w in words[i + 1 :] if w), None)
    next_word = sentence[following[0].start :] if following else ""
    descriptor = bool(prev_core and re.search(lx.COMPANY_NOUNS_KO + r"(?:인|이자)?$", prev_core))
    proper = any(t.tag in _PROPER_TAGS for t in core)
    if len(name) < 2 or name.isdigit() or re.match(r"^\d", name):
        return None
    plural = any(t.tag == "XSN" and t.form == "들" for t in core)
    before_sum = bool(_SUM_AFTER.match(after))  # "로텐바흐 3억달러를 비롯 케일런 2억..."
    if " " in name and (_GENERIC.match(name.split()[-1]) or _COMMON_TAIL.search(name)):
        return None  # "장 뒤부아 프랑스 대통령", "X 관계자": a person or a phrase, not a name
    if " " in name and lx.is_place(name.split()[0]) and re.match(r"^\s?[\dA-Za-z-]*\s?에서", after):
        return None  # "뉴욕 가나 17에서 열린": a venue in a town, not a party
    if re.match(rf"^(?:\s?[·ㆍ,]\s?\S+?)*\s?{lx.COMPANY_COUNT_KO}", sentence[e : e + 30]):
        return None  # "EU 신소재·부품 3개 기업과": what a counted group of firms does
    party_slot = bool(_PARTY_AFTER.match(after))
    # A common noun ("자동차", "기업들") is no name; an unknown word Kiwi calls a common noun is one
    # when a cue introduces it and it stands where a party stands ("미국 펠리온과").
    cued_slot = (cue_country or descriptor) and party_slot and len(name) >= 3 and not _COMMON_TAIL.search(name)
    # "X사는 세진도와 합작해": whoever a company forms a joint venture with is a company, whatever Kiwi calls it
    jv_partner = bool(re.match(r"^(?:와|과)\s?합작(?:해|하여|법인|회사|으로)", after)) and not _COMMON_TAIL.search(name)
    if plural or not (proper or (glued_company and len(name) >= 3) or before_sum or cued_slot or jv_partner):
        return None
    if not (glued_company or cue_country or descriptor or party_slot):
        return None
    if _looks_like_person(name, core, sentence[e : e + 20]) and not (glued_company or descriptor):
        return None
    if (
        _is_country(name)
        or _GENERIC.match(name)
        or lx.is_place(name)
        # a body's or a place's ending, unless a company forms a joint venture with it ("세진도와 합작해")
        or (lx.is_government_name(name) or _PLACE_END.search(name))
        and not (jv_partner and re.search(r"[도시]$", name) and name not in lx.KO_PROVINCES)
    ):
        return None
    if _TITLE_AFTER.match(sentence[e:]) or (not glued_company and _TITLE_AFTER.match(next_word)):
        return None  # a person: "홍길동 사장", "야마다 다로(山田太郎) 사장"
    two = re.match(r"^([가-힣]{2,6})(?=\s)", next_word)
    if not (glued_company or descriptor) and two and _TITLE_AFTER.match(next_word[two.end() :]) \
            and not (len(two.group(1)) == 3 and two.group(1)[0] in _SURNAMES):  # fmt: skip
        return None  # a foreign person in two words: "아오키 다로 본부장" (not "가나전자 홍길동 회장")
    return Name(a + s, a + e, name, cue_country)


# The commonest Korean surnames: a three-syllable proper noun opening with one is a person's name.
_SURNAMES = set(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)


def _looks_like_person(name: str, core, after: str) -> bool:
    """ "홍길동 가람테크 회장": a surname-initial three-syllable proper noun with a title close after."""
    if not (len(core) == 1 and core[0].tag == "NNP" and len(name) == 3 and name[0] in _SURNAMES):
        return False
    return bool(lx.rx(rf"^\s?(?:\S+\s)?{lx.TITLE_WORDS}").match(after))


_is_country = lx.is_country_word


@lru_cache(maxsize=4096)
def tags(name: str) -> dict[str, float]:
    """What Kiwi makes of a candidate name on its own, for the learned decisions: the share of
    its morphemes that are common nouns (a compound of common nouns is rarely a company), proper
    nouns, and foreign script."""
    tokens = [t for t in kiwi().tokenize(name) if t.tag not in ("SP", "SF", "SSO", "SSC", "SE", "SW")]
    if not tokens:
        return {}
    n = len(tokens)
    return {
        "tag_common": sum(t.tag in ("NNG", "XSN", "NNB") for t in tokens) / n,
        "tag_proper": sum(t.tag in _PROPER_TAGS for t in tokens) / n,
        "tag_verbal": sum(t.tag[0] in "VEJ" or t.tag in ("XSV", "XSA", "MAG") for t in tokens) / n,
        "tag_pieces": min(n, 6) / 6,
    }
