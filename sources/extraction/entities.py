"""Names in an article: companies (with their home country), government bodies, joint ventures.

There is no NER model for this mix of languages, so names are found by their shape: a legal form
(㈜, Co., Ltd., ООО, 株式会社), a descriptor with a country ("독일의 화학기업인 뮐러테크사",
"Dutch equipment maker Veldhoven Instruments"), an appositive ("Nordlicht Optics, a Munich-based developer"),
a representative in brackets ("가온바이오(대표 홍길동)"), a foreign name in brackets, or a government
shape (…도, …시, Ministry of …, … Province, KOTRA).
"""

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import languages
from . import lexicon as lx
from .budget import Budget
from .errors import ExtractionError
from .names import normalize_name

# Bounded, and anchored at a word start: unbounded, a 100,000-character run of Hangul made every
# pattern using it quadratic (found by the fuzz tests). No Korean name is 30 characters without a space.
KO_WORD = r"(?<![가-힣A-Za-z0-9&·])[가-힣A-Za-z0-9&·]{1,30}"
KO_PARTICLES = (
    "와의", "과의", "에서", "으로", "와", "과", "는", "은", "이", "가", "을", "를", "의", "에", "로", "도", "측은", "측이",
    "측", "이다", "와도", "과도", "하고", "랑",
)  # fmt: skip
# "Small and Medium" (SMEs) is one word of a public body's name: "Small and Medium Business Administration"
EN_CAP = r"(?:Small and Medium|(?!(?:Co|Ltd|Inc|LLC|Corp|GmbH|Pvt|Pte|PLC|AG|SE)\b)[A-Z][\w&'’.-]*|&)"
EN_NAME = rf"{EN_CAP}(?:\s(?:{EN_CAP}|of|and|de|du|la|von|der|für)){{0,5}}"
_EN_STOP_LEADING = {
    "The", "A", "An", "In", "On", "At", "By", "For", "With", "And", "But", "Under", "After", "Before", "Shares", "Its",
    "Their", "His", "Her", "Our", "This", "That", "These", "Both", "Two", "Three", "Der", "Die", "Das", "Den", "Dem",
    "Eine", "Ein", "Mit", "Von", "Am", "Als", "Wie", "Beide", "Im",
}  # fmt: skip
_DE_DESCRIPTOR = re.compile(
    r"(?:zulieferer|hersteller|unternehmen|konzern|firma|gruppe|anbieter|entwickler|produzent)$", re.I
)
_PERSON_AFTER = re.compile(rf"^\s*[)）]?\s*(?:{lx.TITLE_WORDS})", re.I)
_PERSON_BEFORE = re.compile(rf"(?:{lx.TITLE_WORDS})\s*$", re.I)


_SENTENCE_BREAK = re.compile(r"(?<![A-Z])(?<!\b(?:Co|Dr|Mr|St|No|vs))[a-z]{2,}[.!?]\s+(?=[A-Z])")
_TRAILING_DEMONYM = re.compile(
    r"\s(?:and|und|&)\s(?:South |North )?(?:Korean|Japanese|Chinese|German|American|Russian|Swedish|French|British|"
    r"Indian|Israeli|Dutch|Finnish|Danish|Norwegian|Italian|Spanish|Canadian|Australian|Saudi|Emirati|Taiwanese)$"
)
# New organisations one text may name (the longest real article names a few dozen).
MAX_NAMES = 400

_ABBREVIATED_FORM = re.compile(r"(?:\b[A-Z]\.){2,}$|\b(?:Co|Ltd|Inc|Corp|Pty|Pvt|Pte|Bhd)\.$")


@dataclass
class Entity:
    """A named organisation with every surface form found, and where each occurs."""

    kind: str  # company | government | jv
    name: str
    aliases: set[str] = field(default_factory=set)
    country: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    representative: str | None = None
    location: str | None = None
    by_shape: bool = True  # found by a legal form, descriptor or bracket, not only by an analyser
    country_guessed: bool = False  # from the article's language alone, not from a cue: a later cue wins
    # Which generator found it first (a feature of the learned decisions: a legal form, an
    # analyser, a government shape ...): ``learned.py`` reads it, nothing else does.
    origin: str = ""

    def forms(self) -> list[str]:
        return sorted({self.name, *self.aliases}, key=len, reverse=True)


def _kiwi():
    """The one Kiwi of the process (``languages.ko``): a second instance would hold the model twice."""
    from .languages.ko import kiwi

    try:
        return kiwi()
    except ImportError:  # the rules below still work, with a fixed particle list
        return None


@lru_cache(maxsize=65536)
def strip_particles(word: str) -> str:
    """A Korean name without the particles glued to it: 가나다테크와의 -> 가나다테크.

    Kiwi tags the trailing particles (조사, J*) and copulas (VCP/E*), however they combine; the
    fixed list then catches what Kiwi reads as a noun (측, "side").
    """
    kiwi = _kiwi()
    if kiwi is not None and re.search(r"[가-힣]$", word):
        tokens = kiwi.tokenize(word)
        end = len(word)
        for token in reversed(tokens):
            if token.tag.startswith(("J", "E", "VCP")) and token.start >= 2:
                end = token.start
            else:
                break
        word = word[:end]
    for p in KO_PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


def _clean_en(name: str) -> str:
    name = name.strip(" ,.;:'\"“”‘’")
    if "'s " in name or "’s " in name:
        name = re.split(r"['’]s ", name)[-1]
    words = name.split()
    while words and (
        words[0] in _EN_STOP_LEADING
        or lx.country_of(words[0])
        and words[0] in _demonym_words()
        or words[0] in ("South", "North")
        and len(words) > 2
        and words[1] in _demonym_words()
    ):
        words.pop(0)
    while words and _DE_DESCRIPTOR.search(words[0]) and len(words) > 1:
        words.pop(0)
    return " ".join(words)


def _demonym_words() -> set[str]:
    return {w for ws in lx.DEMONYMS.values() for w in ws if w.isascii()} | {"South", "North"}


def _looks_like_person_ko(text: str, start: int, end: int) -> bool:
    return bool(_PERSON_AFTER.match(text[end : end + 12]) or _PERSON_BEFORE.search(text[max(0, start - 12) : start]))


_is_gov_name = lx.is_government_name


def _legal_form(name: str) -> bool:
    return bool(lx.rx(rf"\s{lx.EN_LEGAL}\.?$").search(name))


def _two_companies(a: "Entity", b: "Entity") -> bool:
    """Two full names with legal forms ("X Corporation", "X UK Limited"): a parent and its
    subsidiary, not one company, whatever short form they share."""
    return _legal_form(a.name) and _legal_form(b.name) and _key(a.name) != _key(b.name)


_MEDIA_WORD = re.compile(
    r"매체|언론|신문|통신사?|방송사?|외신|\b(?:media|newspaper|news agency|broadcaster|daily|outlet)\b|媒体|媒體|報道|メディア|"
    r"СМИ|издани\w+|газет\w+|Zeitung|Medien",
    re.I,
)
_SOURCE_AFTER = re.compile(
    r"^\s?(?:[(（][^()（）]{1,40}[)）])?\s?(?:에\s?따르면|에\s?의하면|によると|によれば|报道|報道|,? reported|сообщ)"
)


class EntityFinder:
    """Collects entities from one article's text."""

    def __init__(self, text: str, language: str, budget: Budget | None = None):
        self.text = text
        self.language = language
        self.entities: list[Entity] = []
        self.budget = budget or Budget()

    # -- registry -------------------------------------------------------------------------------
    def add(self, kind: str, name: str, start: int, *, country: str | None = None, alias: str | None = None,
            representative: str | None = None, min_len: int = 2) -> Entity | None:  # fmt: skip
        name = name.strip(" ,;:'\"“”‘’「」『』«»")
        # A name never runs across a sentence's end ("Monday. The Korea … Agency") nor ends on a
        # nationality that opens the next name ("Nordvik Robotics and Korean battery firm …").
        cut = _SENTENCE_BREAK.search(name)
        if cut:
            start, name = start + cut.end(), name[cut.end() :]
        lead = re.match(r"(?:The|the)\s+(?=[A-Z])", name)
        if lead:
            start, name = start + lead.end(), name[lead.end() :]
        trail = _TRAILING_DEMONYM.search(name)
        if trail and kind == "company":
            name = name[: trail.start()]
        if not _ABBREVIATED_FORM.search(name):  # "B.V.", "Co., Ltd." keep their dots
            name = name.strip(" .")
        if len(name) < min(min_len, 2) or name.isdigit() or len(name) > 80 or lx.is_country_pair(name):
            return None
        if kind == "company" and self._cited_press(name, start):
            return None
        self.budget.check("names")
        key = _key(name)
        for e in self.entities:
            by_name = any(_key(f) == key for f in e.forms())
            by_alias = bool(alias) and any(_key(f) == _key(alias) for f in e.forms())
            if by_alias and not by_name and _legal_form(name) and _legal_form(e.name):
                continue  # "X Corporation" and its "X UK Limited" share the short "X" and are two companies
            if by_name or by_alias:
                if kind == "jv" or e.kind == kind:
                    e.kind = "jv" if kind == "jv" else e.kind
                    e.aliases.add(name)
                    if alias:
                        e.aliases.add(alias)
                    e.country = e.country or country
                    e.representative = e.representative or representative
                    return e
        if len(self.entities) >= MAX_NAMES:
            # Each new name is compared with every other (here, and when overlaps are merged): a page
            # naming this many organisations is a directory or a generated list, not a deal report.
            raise ExtractionError(f"too many names: more than {MAX_NAMES:,} organisations in one text")
        e = Entity(kind, name, {alias} if alias else set(), country, [], representative)
        e.spans.append((start, start + len(name)))
        self.entities.append(e)
        return e

    def _cited_press(self, name: str, start: int) -> bool:
        """ "중국 매체 X(…)에 따르면", "according to the newspaper X": the outlet a fact is quoted from."""
        at = self.text.find(name, start, start + len(name) + 8)
        at = start if at < 0 else at
        before = self.text[max(0, at - 16) : at] + " " + name.split()[0]
        after = self.text[at + len(name) : at + len(name) + 50]
        return bool(_MEDIA_WORD.search(before) and _SOURCE_AFTER.match(after))

    # -- companies ------------------------------------------------------------------------------
    def find(self, deal_spans: list[tuple[int, int]] | None = None) -> list[Entity]:
        """Every entity of the text; ``deal_spans`` (the sentences that report a deal) are also read
        by the language's analyser, for the names that carry no legal form."""
        t = self.text
        for origin, generate in (
            ("government", self._governments),
            ("jv", self._joint_ventures),
            ("ko", self._companies_ko),
            ("latin", self._companies_latin),
            ("cjk", self._companies_cjk),
            ("ru", self._companies_ru),
            ("analyser", lambda: deal_spans and self._companies_analysed(deal_spans)),
        ):
            generate()
            for e in self.entities:
                e.origin = e.origin or origin
        self._drop_overlaps()
        self._merge_agency_offices()
        self._short_aliases()
        self._drop_generic()
        self._countries()
        self._locate()
        return [e for e in self.entities if t and e.spans]

    def _companies_ko(self) -> None:
        t = self.text
        for m in lx.rx(rf"{lx.KO_LEGAL_PREFIX}\s?({KO_WORD}(?:\s{KO_WORD})?)").finditer(t):
            name = strip_particles(m.group(1).split()[0]) if " " in m.group(1) else strip_particles(m.group(1))
            prefix = t[m.start(0) : m.start(1)]
            # "㈜가나다는": the alias keeps the legal form but not the particle after the name.
            self.add("company", name, m.start(1), country="KR", alias=None if prefix.endswith(" ") else prefix + name)
        for m in lx.rx(rf"({KO_WORD})\s?{lx.KO_LEGAL_SUFFIX}").finditer(t):
            self.add("company", strip_particles(m.group(1)), m.start(1), country="KR")
        # 가온바이오(대표 홍길동)
        for m in re.finditer(
            rf"({KO_WORD}(?:\s{KO_WORD})?)\s?[(（](?:대표이사|대표|회장|사장|CEO)\s([^)）]{{2,30}})[)）]", t
        ):
            name = m.group(1).split()[-1]
            if not _is_gov_name(name):
                self.add("company", strip_particles(name), m.start(1) + m.group(1).rfind(name),
                         representative=m.group(2).split(",")[0].strip())  # fmt: skip
        # 독일의 화학기업인 뮐러테크사 / 美 리버스톤과
        cre = lx.country_regex()
        for m in lx.rx(
            rf"({cre.pattern})(?:의)?\s(?:[가-힣A-Za-z0-9·]+\s){{0,3}}?[가-힣]*{lx.COMPANY_NOUNS_KO}(?:인|이자)?\s({KO_WORD})"
        ).finditer(t):
            name = strip_particles(m.group(2))
            # "일본 가나 다라사 아오키 다로 본부장": after "X사", a person named in two words
            # (a "…사" there is then a name with its 사, not a descriptor such as 제약사 or 투자사)
            descriptor = m.group(0)[: m.start(2) - m.start()].split()[-1]
            person = re.search(r"사(?:인|이자)?$", descriptor) and not re.search(r"(?:제약|투자|운용|제조|통신|증권|보험|건설|화학|자|계열|합작|모|지주)사(?:인|이자)?$",
                                   descriptor) and re.match(
                rf"^\s[가-힣]{{2,6}}\s?(?:{lx.TITLE_WORDS})", t[m.end(2) : m.end(2) + 20]
            )  # fmt: skip
            if not _is_gov_name(name) and not re.match(r"^\d", name) and not person:
                self.add("company", name, m.start(2), country=lx.country_of(m.group(1)))
        # 미국의 벤처캐피털인 ‘가나 벤처스’, ‘다라 파트너스’가: quoted names after a company noun, whose
        # country is a cue a few words before it.
        for m in lx.rx(
            rf"{lx.COMPANY_NOUNS_KO}(?:인|이자)?\s((?:[‘'\"“][^’'\"”\n]{{1,40}}[’'\"”](?:사|,\s?|와\s|과\s|및\s)?)+)"
        ).finditer(t):
            cues = list(cre.finditer(t[max(0, m.start() - 20) : m.start()]))
            country = lx.country_of(cues[-1].group(0)) if cues else None
            for q in re.finditer(r"[‘'\"“]([^’'\"”\n]{1,40})[’'\"”](사)?", m.group(1)):
                name = q.group(1).strip()
                if len(name) == 1 and not (q.group(2) and re.fullmatch(r"[가-힣]", name)):
                    continue  # one syllable is a name only quoted and glued to 사: "기업인 '돈'사를"
                if not _is_gov_name(name) and not re.match(r"^\d", name):
                    self.add("company", name, m.start(1) + q.start(1), country=country, min_len=len(name))
        # 미국 리버스톤 테라퓨틱스(Riverstone Therapeutics Inc.) / 상하이한별소재(上海韩星材料, 이하 한별)
        for m in lx.rx(
            rf"(?:({cre.pattern})(?:의)?\s)?({KO_WORD}(?:\s{KO_WORD}){{0,3}})\s?[(（]([A-Z][^)）]{{1,60}}?|[\u3040-\u30ff\u4e00-\u9fff][^)）]{{1,40}}?)"
            rf"(?:[,，]\s*이하\s*['‘\"“]?([^)）'’\"”]{{1,20}})['’\"”]?)?[)）]"
        ).finditer(t):
            ko, foreign, short = m.group(2), m.group(3).strip(), m.group(4)
            if _looks_like_person_ko(t, m.start(2), m.end()):
                continue
            words = ko.split()
            cue = m.group(1)
            inner = [k for k, w in enumerate(words[:-1]) if lx.is_country_word(re.sub(r"의$", "", w))]
            if inner:
                # the match began a word or more before the cue: "… 독일 기업 X 테크놀로지(…)"
                cue, words = re.sub(r"의$", "", words[inner[-1]]), words[inner[-1] + 1 :]
            has_legal = re.search(lx.EN_LEGAL + r"\.?$", foreign) or re.search(lx.CJK_LEGAL, foreign)
            if not (cue or has_legal or short):
                # Without a cue, only a single word that is already known or ends like a company.
                if len(words) > 1 or not re.search(
                    r"(?:사|텍|스|즈|칼|랩|소재|화학|전자|제약|바이오|에너지|시스템)$", words[0]
                ):
                    continue
            described = [k for k, w in enumerate(words[:-1]) if re.search(lx.COMPANY_NOUNS_KO + r"(?:인|이자)?$", w)]
            if described:
                # "해저케이블 전문기업 X Y(…)": a descriptor opens the name as a country does, and is not part of it
                words = words[described[-1] + 1 :]
            elif cue is None and len(words) > 1:
                words = words[-1:]
            name = " ".join(words)
            if _is_gov_name(name) or _is_gov_name(foreign) or re.match(r"^[A-Z]{2,6}$", foreign):
                continue
            country = lx.country_of(cue) if cue else None
            e = self.add(
                "company", strip_particles(name), m.start(2) + len(ko) - len(name), country=country, alias=foreign
            )
            if e and short:
                e.aliases.add(short.strip())

    def _companies_latin(self) -> None:
        t = self.text
        for m in lx.rx(rf"({EN_NAME}),?\s({lx.EN_LEGAL})(?![\w])").finditer(t):
            raw = m.group(1)
            if re.search(r"[.:]\s", raw):  # "MUSTERSTADT/KREIS. Die X AG": the name starts after the break
                raw = re.split(r"[.:]\s", raw)[-1]
            base = _clean_en(raw)
            if " and " in base:
                # "with Orvan Nord and Teskel Co. Ltd.": two companies, when the first is named alone elsewhere
                left, right = base.rsplit(" and ", 1)
                if t.count(left) > t.count(base):
                    base = right
            if not base or base in _demonym_words() or _is_gov_name(base):
                continue
            legal = m.group(2)
            full = f"{base}{',' if ',' in m.group(0)[len(m.group(1)) : len(m.group(1)) + 2] else ''} {legal}"
            start = m.start(1) + m.group(1).rfind(base)
            self.add("company", full, start, alias=base)
        cre = lx.country_regex()
        ru_nouns = r"(?:компани\w*|производител\w*|фирм\w*|групп\w*|концерн\w*)"
        for m in lx.rx(
            rf"({cre.pattern})(?:[\w-]*)\s(?:[a-zа-яё][\w-]*\s){{0,4}}?(?:{lx.COMPANY_NOUNS_EN}|{ru_nouns}|[A-Za-zäöü]*(?:zulieferer|hersteller|konzern|unternehmen))\s({EN_NAME})"
        ).finditer(t):
            name = _clean_en(m.group(2))
            name = lx.rx(rf"\s{lx.EN_LEGAL}$").sub("", name) if name else name
            if name and not _is_gov_name(name) and name.split()[0] not in _EN_STOP_LEADING:
                self.add("company", name, m.start(2) + m.group(2).find(name), country=lx.country_of(m.group(1)))
        # A name starts at a word start: else "…Biologics LLC, a manufacturer" yields "LC".
        for m in lx.rx(rf"(?<![\w&.-])({EN_NAME}),\s(?:a|an)\s((?:[\w-]+\s){{0,6}}?){lx.COMPANY_NOUNS_EN}\b").finditer(
            t
        ):
            name = _clean_en(m.group(1))
            if not name or _is_gov_name(name) or name in _demonym_words():
                continue
            descr = m.group(2)
            country = None
            cm = lx.country_regex().search(descr)
            if cm:
                country = lx.country_of(cm.group(0))
            country = country or lx.city_country(descr)
            self.add("company", name, m.start(1) + m.group(1).find(name), country=country)

    def _companies_cjk(self) -> None:
        t = self.text
        for m in re.finditer(
            rf"(?:^|[、，,。\s与和及]|企业|公司|企業|メーカー|设立|成立)((?:(?!企业|公司|与|和|设立|成立|将|的|在)[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]){{2,14}}?)({lx.CJK_LEGAL})",
            t,
            re.M,
        ):
            name, start, country = m.group(1), m.start(1), None
            for cue, code in lx.country_cues():  # "德国克劳斯集团": a country before the name is no part of it
                if not cue.isascii() and len(cue) >= 2 and name.startswith(cue) and len(name) > len(cue) + 1:
                    name, start, country = name[len(cue) :], start + len(cue), code
                    break
            self.add("company", name + m.group(2), start, alias=name, country=country)
        for m in re.finditer(
            r"(?<![\u4e00-\u9fff\u30a0-\u30ff])(株式会社)([\u4e00-\u9fff\u30a0-\u30ffA-Za-z]{2,14}?)(?=[（(、，。\s]|は|が|と)",
            t,
        ):
            self.add("company", m.group(0), m.start(), alias=m.group(2))

    def _companies_ru(self) -> None:
        t = self.text
        for m in lx.rx(rf"({lx.RU_LEGAL})\s«([^»]{{2,60}})»").finditer(t):
            self.add("company", m.group(0), m.start(), alias=m.group(2))
        for m in re.finditer(r"«([^»]{2,40})»", t):
            inner = m.group(1)
            for e in self.entities:
                if e.kind == "company" and t[max(0, m.start() - 70) : m.start()].rstrip(" (").endswith(
                    tuple(e.forms())
                ):
                    e.aliases.add(inner)

    def _companies_analysed(self, spans: list[tuple[int, int]]) -> None:
        # A name inside one the shape rules found ("Pharmaceuticals" in "... Pharmaceuticals Inc.") is not new.
        taken = [(i, i + len(f)) for e in self.entities for f in e.forms() if len(f) >= 2
                 for i in _occurrences(self.text, f)]  # fmt: skip
        known = {_key(f) for e in self.entities if e.kind in ("government", "jv") for f in e.forms()}
        module = languages.module_for(self.language)
        for n in getattr(module, "bodies", lambda text, spans: [])(self.text, spans):
            self.add("government", n.text, n.start, country=n.country)
        for n in module.names(self.text, spans):
            self.budget.check("names")
            if any(a < n.end and n.start < b for a, b in taken) or _key(n.text) in known or not _key(n.text):
                continue
            before = len(self.entities)
            e = self.add("company", n.text, n.start, country=n.country)
            if e is not None and len(self.entities) > before:
                e.by_shape = False

    # -- government -----------------------------------------------------------------------------
    def _governments(self) -> None:
        t = self.text
        for name in lx.KO_PROVINCES:
            full = next((f for f, short in lx.KO_PROVINCE_SHORT.items() if short == name and f in t), None)
            for i in _occurrences(t, name):
                # "전남도" after "전라남도": the same province, so an alias of it.
                self.add("government", name, i, country="KR", alias=full)
        for m in lx.rx(rf"(?<![가-힣])({lx.KO_NATIONAL})").finditer(t):
            self._ko_body(m.group(1), m.start())
        # Ministries and offices by their shape, past names included (지식경제부, 산자부, 중소기업청).
        for m in re.finditer(r"(?<![가-힣])([가-힣]{2,9}(?:부|청|처))(?=\s|[은는이가와과의에,·]|장관|차관|청장)", t):
            if not lx.KO_NOT_BODIES.search(m.group(1)):
                self._ko_body(m.group(1), m.start())
        # "Department of Energy", "Government of Westland", "Department for Trade, Skills & Growth"
        for m in re.finditer(
            r"((?:U\.S\.|US|UK|[A-Z][a-z]+)\s)?((?:Department|Government|Office|Agency|Council)\s(?:of|for)\s"
            r"(?:the\s)?[A-Z][\w]*(?:(?:,\s|\sand\s|\s&\s|\s)[A-Z][\w]*)*)(?:\s\(([A-Z]{2,8})\))?",
            t,
        ):
            name = m.group(2)
            if " and " in name:
                # "the Department of Commerce and Hanbit Electronics signed": the body ends before a
                # company the article also names on its own
                head, rest = name.rsplit(" and ", 1)
                if len(rest.split()) >= 2 and t.count(rest) > t.count(name):
                    name = head
            self.add("government", name, m.start(2), alias=m.group(3) if name == m.group(2) else None)
        for m in re.finditer(
            r"(?<![가-힣])((?:[가-힣]{1,6}시\s)?[가-힣]{1,5}(?:시|군|구))(?=[·,]|와\s|과\s|와$|는\s|은\s|가\s|와\s?함께|\s관계자|\s정부|청[은이에])",
            t,
        ):
            name = m.group(1)
            if name.endswith(
                ("회사", "지시", "일시", "동시", "당시", "수시", "표시", "도시", "지구", "연구", "입구", "요구")
            ):
                continue
            e = self.add("government", name, m.start(), country="KR")
            if e and " " in name:
                e.aliases.add(name.split()[-1])
        for m in re.finditer(
            r"(?<![가-힣A-Za-z])((?:[가-힣]{2,12}|[A-Z]{2,6})(?:진흥공사|진흥원|진흥청|경제자유구역청|개발청|공사|공단|무역관|투자지원센터|투자유치단))",
            t,
        ):
            if m.group(1).endswith(("유한공사", "유한회사")):
                continue  # a company's legal form (有限公司 written in Hangul), not a public corporation
            self.add("government", m.group(1), m.start())
        # "KDC(가나관광개발센터)", "가나개발공사(GDC, 사장 …)": an acronym glossed by a body's name
        for m in re.finditer(
            r"(?<![A-Za-z])([A-Z]{2,6})\s?[(（]([가-힣]{4,20})[)）]|(?<![가-힣])([가-힣]{4,20})\s?[(（]([A-Z]{2,6})[,)）]",
            t,
        ):
            acronym, body = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            if re.search(r"(?:공사|공단|센터|진흥원|개발청|위원회|재단)$", body):
                self.add("government", body, m.start(2) if m.group(1) else m.start(3), country="KR", alias=acronym)
        for agency in lx.AGENCIES:
            # A Latin name stands apart from Latin letters only ("知識経済部とKOTRA(", "KOTRA는"); a
            # Hangul one takes its particle ("코트라는").
            if agency.isascii():
                pattern = rf"(?<![A-Za-z0-9]){re.escape(agency)}(?![A-Za-z0-9])"
            else:
                pattern = rf"(?<![가-힣]){re.escape(agency)}"
            for m in lx.rx(pattern).finditer(t):
                self.add("government", agency, m.start())
        for m in lx.rx(rf"((?:{EN_CAP}\s){{1,5}}{lx.EN_GOV_HEAD})(?:\s\(([A-Z]{{2,8}})\))?").finditer(t):
            name = _clean_en(m.group(1))
            if len(name.split()) >= 2 and not name.lower().startswith(("the ", "a ")):
                self.add("government", name, m.start(1) + m.group(1).find(name), alias=m.group(2))
        for m in re.finditer(r"(Ministry of [A-Z][\w]*(?:(?:,\s|\sand\s|\s&\s)[A-Z][\w]*)*)(?:\s\(([A-Z]{2,8})\))?", t):
            self.add("government", m.group(1), m.start(1), alias=m.group(2))
        for m in re.finditer(
            r"((?:[A-Z][\w-]+\s){1,3}government|[A-Z][\w-]+['’]s (?:economy |economic |industry |trade )?ministry)", t
        ):
            self.add(
                "government",
                _clean_en(m.group(1)) if "'" not in m.group(1) and "’" not in m.group(1) else m.group(1),
                m.start(1),
            )
        for m in re.finditer(
            r"((?:Агентство|Министерство|Правительство|правительство|Администрация|администрация|Фонд|Корпорация)"
            r"(?:\s[а-яё]+){0,4}\s[А-ЯЁ][а-яё]+(?:ой|ого)?\s(?:области|края|республики|района|города|Республики))",
            t,
        ):
            self.add("government", m.group(1), m.start(1), country="RU")
        for m in re.finditer(r"\b((?:Provinz|Präfektur|Bundesland|Regierung von)\s[A-ZÄÖÜ][\w-]+)", t):
            self.add("government", m.group(1), m.start(1))
        for m in re.finditer(
            r"((?:[A-ZÄÖÜ][\wäöüß]*-?\s(?:und\s)?)?[A-ZÄÖÜ][\wäöüß]*(?:ministerium|gesellschaft|agentur)\s[A-ZÄÖÜ][\wäöüß-]+)(?:\s\(([A-Z]{2,6})\))?",
            t,
        ):
            self.add("government", m.group(1), m.start(1), alias=m.group(2))
        for m in re.finditer(
            r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,5}(?:道|市|県|省|区|部|庁))(?=および|と|、|は|の|和|与|，|\(|（)",
            t,
        ):
            if re.search(r"(?:東|西|南|北|中)部$", m.group(1)):
                continue  # "韓国西部": a part of a country, not a ministry
            self.add("government", m.group(1), m.start(1))

    def _ko_body(self, name: str, start: int) -> None:
        """A Korean ministry, or a foreign one when a country opens it ("노르웨이 외교부")."""
        before = re.search(r"(\S+)\s$", self.text[max(0, start - 12) : start])
        code = lx.country_of(before.group(1)) if before and lx.is_country_word(before.group(1)) else None
        if code and code != "KR":
            self.add("government", f"{before.group(1)} {name}", before.start(1) + max(0, start - 12), country=code)
        else:
            self.add("government", name, start, country="KR")

    # -- joint ventures -------------------------------------------------------------------------
    def _joint_ventures(self) -> None:
        t = self.text
        patterns = [
            rf"합작\s?(?:법인|회사)(?:인|명은|명|은)?\s?['‘\"“]?({KO_WORD})['’\"”]?",
            rf"({KO_WORD})['’\"”]?(?:이라는|라는)\s합작",
            # 「가나펀드(GNF)」를 설립하고 / 가나개발(GND)을 공동 설립: the new entity a deal sets up, named in
            # quotes or with its abbreviation (a bare "공장을 설립" names nothing).
            rf"[「『‘“]({KO_WORD})(?:\([A-Z]{{2,10}}\))?[」』’”](?:를|을)\s(?:공동\s?)?설립",
            rf"({KO_WORD})\([A-Z]{{2,10}}\)(?:를|을)\s(?:공동\s?)?설립",
            # "합작투자 형태로 설립하는 가칭 가나개발(주)": the company a joint venture sets up
            rf"합작\s?(?:투자)?\s?(?:형태로|방식으로)\s(?:공동\s?)?설립(?:하는|한|할)\s(?:가칭\s)?({KO_WORD})",
            rf"(?:joint venture|new company|venture|JV)(?:,|\s(?:called|named))\s(?:to be named\s|will be named\s|called\s|named\s)?({EN_NAME}(?:,?\s{lx.EN_LEGAL})?)",
            r"(?:СП|[Сс]овместн\w+ предприяти\w+)\s((?:ООО\s)?«[^»]{2,60}»)",
            r"(?:设立|成立|合资公司)\s?([\u4e00-\u9fffA-Za-z]{2,20}?(?:有限公司|股份有限公司))",
            r"合弁会社「([^」]{2,30})」",
        ]
        for p in patterns:
            for m in re.finditer(p, t):
                raw = m.group(1)
                name = (
                    strip_particles(raw) if re.match(r"[가-힣]", raw) else _clean_en(raw) if raw[0].isascii() else raw
                )
                if (
                    not name
                    or name in {"the", "The"}
                    or _is_gov_name(name)
                    or re.match(r"^(?:설립|계약|추진|자본금)", name)
                ):
                    continue
                alias = None
                after = t[m.end(1) : m.end(1) + 60]
                am = re.match(r"\s?[(（]([^)）]{2,50})[)）]", after)
                if am:
                    alias = am.group(1)
                rm = re.match(r"«([^»]+)»", name.replace("ООО ", ""))
                if rm:
                    alias = rm.group(1)
                base = lx.rx(rf",?\s{lx.EN_LEGAL}$").sub("", name) if name[0].isascii() else None
                e = self.add("jv", name, m.start(1), alias=alias or (base if base and base != name else None))
                if e and base and base != name:
                    e.aliases.add(base)

    # -- aliases and spans ----------------------------------------------------------------------
    def _merge_agency_offices(self) -> None:
        """ "KOTRA 가나무역관", "KOTRA's Accra office", "Handelsförderagentur KOTRA": an office or a
        descriptor of a known agency is that agency, named differently."""
        t = self.text
        agencies = {a: e for e in self.entities if e.kind == "government" for a in [e.name] if a in lx.AGENCIES}
        kept = []
        for e in self.entities:
            target = None
            if e.kind == "government" and e.name not in lx.AGENCIES:
                for s, _ in e.spans[:1]:
                    before = t[max(0, s - 12) : s]
                    m = (
                        re.search(r"(?<![\w])(" + "|".join(map(re.escape, agencies)) + r")\s$", before)
                        if agencies
                        else None
                    )
                    if m:
                        target = agencies[m.group(1)]
                words = e.name.split()
                if target is None and len(words) > 1 and words[-1] in agencies:
                    target = agencies[words[-1]]
            if target is None:
                kept.append(e)
                continue
            target.aliases.update(e.forms())
            target.spans.extend(e.spans)
        self.entities = kept

    def _short_aliases(self) -> None:
        """'Veldhoven Instruments B.V.' is 'Veldhoven' later on; '리버스톤 테라퓨틱스' is '리버스톤'."""
        t = self.text
        firsts = {}
        for e in self.entities:
            for form in e.forms():
                firsts.setdefault(form.split()[0], set()).add(id(e))
        for e in self.entities:
            self.budget.check("aliases")
            for form in list(e.forms()) if e.kind == "company" else []:
                first = form.split()[0] if " " in form else None
                if first and len(first) >= 2 and first not in _EN_STOP_LEADING:
                    first = first.rstrip(",")
                    n = len(re.findall(rf"(?<![\w]){re.escape(first)}(?![\w])", t))
                    n_full = len(re.findall(re.escape(form), t))
                    if (
                        n > n_full
                        and not lx.country_of(first)
                        and not _is_gov_name(first)
                        and firsts.get(first) == {id(e)}
                    ):
                        e.aliases.add(first)
            for form in e.forms():
                for i in _occurrences(t, form):
                    if (i, i + len(form)) not in e.spans:
                        e.spans.append((i, i + len(form)))
            e.spans.sort()

    def _drop_overlaps(self) -> None:
        """A company name that is also a government body or JV is that, not a company."""
        gov_keys = {_key(f) for e in self.entities if e.kind in ("government", "jv") for f in e.forms()}
        self.entities = [
            e for e in self.entities if e.kind != "company" or not any(_key(f) in gov_keys for f in e.forms())
        ]
        # "Veldhoven" and "Veldhoven Instruments B.V." are one company: keep the longer.
        # Who is gone is kept by identity: "a in self.entities" compared every field of every entity
        # (dataclass equality), which made this cubic in the number of names.
        gone: set[int] = set()
        companies = [e for e in self.entities if e.kind == "company"]
        for a in companies:
            self.budget.check("merging names")
            for b in companies:
                if a is b or id(a) in gone or id(b) in gone or _two_companies(a, b):
                    continue
                if any(fb.startswith(fa + " ") for fa in a.forms() for fb in b.forms() if len(fa) >= 4):
                    b.aliases |= set(a.forms())
                    b.country = b.country or a.country
                    b.representative = b.representative or a.representative
                    b.spans = sorted(set(b.spans) | set(a.spans))
                    gone.add(id(a))
        for a in companies:
            self.budget.check("merging names")
            for b in companies:
                if a is not b and id(a) not in gone and id(b) not in gone and not _two_companies(a, b):
                    if any(_key(fa) and _key(fa) == _key(fb) for fa in a.forms() for fb in b.forms()):
                        b.aliases |= set(a.forms())
                        b.country = b.country or a.country
                        gone.add(id(a))
        self.entities = [e for e in self.entities if id(e) not in gone]

    def _drop_generic(self) -> None:
        """Descriptors caught as names ("중소기업인", "제조업체", "Company") are not companies."""
        generic = re.compile(
            r"^(?:[가-힣]{0,4}(?:기업|업체|회사|기업인|업체인|법인|제조사|스타트업|상장|협약|계약|투자|지분|결정|신고)|"
            # "바라탄그룹" is a name, "자동차그룹" a descriptor: only a common noun before 그룹 says so
            r"(?:대기업|중견|글로벌|다국적|재벌|금융|투자|유통|자동차|전자|화학|건설|에너지|식품|철강|통신|섬유|제약|기업)?그룹|"
            r"설립|체결|추진|합작|생산|공장|기술|사업|협력|개발|제조|양산|건설|유치|진출|공급|수출|인수|"
            rf"{lx.COMPANY_COUNT_KO}|"
            r"(?:the |a )?(?:company|firm|group|venture|partners?|side)s?)$",
            re.I,
        )
        self.entities = [
            e
            for e in self.entities
            if e.kind == "government"
            or not (
                # "다화그룹(大华集团)": a name written in a second script is no descriptor
                generic.match(e.name)
                and not any(re.search(r"[A-Za-z\u4e00-\u9fff]", a) for a in e.aliases)
                or _GENERIC_ACRONYM.match(e.name)
                # kinds of direct investment, in either script
                or any(re.fullmatch(r"(?i)(?:green|brown)\s?field|(?:그린|브라운)\s?필드", f) for f in e.forms())
                or lx.is_region(e.name)
                or lx.is_place(e.name)
                # "greenfield" in Korean news: a lowercase Latin word is a term, a brand has a capital
                or self.language in ("ko", "ja", "zh")
                and re.fullmatch(r"[a-z]+", e.name)
            )
        ]

    def widen(self, spans: list[tuple[int, int]]) -> list[Entity]:
        """More candidates for the learned decisions: the names the language's analyser reads in
        ``spans`` (the sentences that report no deal), where no entity was found. The rules keep
        a name only where a party stands; here every one is proposed, and the party model decides."""
        taken = [(i, i + len(f)) for e in self.entities for f in e.forms() if len(f) >= 2
                 for i in _occurrences(self.text, f)]  # fmt: skip
        known = {_key(f) for e in self.entities for f in e.forms()}
        module = languages.module_for(self.language)
        before = {id(e) for e in self.entities}
        for n in module.names(self.text, spans):
            if len(self.entities) >= MAX_NAMES - 1:
                break  # the wider net is a suggestion: it never makes an article fail
            key = _key(n.text)
            if not key or key in known or any(a < n.end and n.start < b for a, b in taken):
                continue
            e = self.add("company", n.text, n.start, country=n.country)
            if e is not None and id(e) not in before:
                e.by_shape, e.origin = False, "wide"
                known.add(key)
        new = [e for e in self.entities if id(e) not in before]
        for e in new:
            e.spans = sorted({(i, i + len(f)) for f in e.forms() for i in _occurrences(self.text, f)} | set(e.spans))
        self._countries(new)
        return new

    def _countries(self, only: list[Entity] | None = None) -> None:
        """A country cue just before a name ("독일의 화학기업인 뮐러테크사", "South Korea's Hanbit Materials"),
        after a strong signal in the name itself (its script or legal form, ``country_by_form``)."""
        t = self.text
        targets = self.entities if only is None else only
        cre = lx.country_regex()
        # Every company mention by where it ends, to find those just before a name (bisect: an article
        # may hold thousands of mentions).
        ends = sorted((b, a, id(o)) for o in self.entities if o.kind == "company" for a, b in o.spans)
        end_keys = [x[0] for x in ends]
        for e in targets:
            self.budget.check("countries")
            if e.kind == "company":
                by_form = country_by_form(e.name)
                if by_form:
                    e.country = by_form
                    continue
            if e.kind != "company" or e.country:
                continue
            for s, end in e.spans:
                # "가나사(미국), 다라사(싱가포르)": the country in brackets right after the name, before
                # any cue ahead of it.
                # A town there places it too: "Компания ВЛТ (Челябинск) и корпорация «Лиюань» (Харбин)".
                m = re.match(r"(?:사|社)?[»”’\"']?\s?[(（]([^)）]{1,12})[)）]", t[end : end + 20])
                if m and cre.fullmatch(m.group(1).strip()):
                    e.country = lx.country_of(m.group(1).strip())
                    break
                if m and not m.group(1).strip().isupper() and lx.place_country(m.group(1).strip()):
                    e.country = lx.place_country(m.group(1).strip())
                    break
                # A cue before another company's name is that company's ("프랑스 가나사는 다라중공업과"),
                # unless only a space parts the two (one name in two words: "가나카벨 시스템").
                start = max(0, s - 45)
                for b, a, owner in ends[bisect.bisect_left(end_keys, start) : bisect.bisect_right(end_keys, s)]:
                    if owner != id(e) and a >= s - 45 and t[b:s].strip():
                        start = max(start, b)
                window = t[start:s]
                window = re.split(r"[.。!?\n]|다\.|\band\b|와\s|과\s|,\s", window)[-1]
                found = list(cre.finditer(window))
                if found:
                    e.country = lx.country_of(found[-1].group(0))
                    break
                # "이바라키현 X사", "Haifa-based X", "a Gera company X": a town just before the name.
                pm = re.search(r"([^\s,.()]+?)(?:-based)?\s?$", window)
                if pm and len(pm.group(1)) >= 2 and lx.place_country(strip_particles(pm.group(1))):
                    e.country = lx.place_country(strip_particles(pm.group(1)))
                    break
                if pm and re.fullmatch(r"[가-힣]{2,5}현(?:의)?", pm.group(1)):
                    e.country = (
                        "JP"  # "시즈오카현 X사": Korean writes 현 for Japan's prefectures (GeoNames lists towns)
                    )
                    break
                after = t[e.spans[0][1] : e.spans[0][1] + 40]
                m = re.match(
                    r"(?:\s(?:Ltd\.?|Inc\.?))?,?\s(?:of|from|in|aus|из)\s([A-Z][\w-]+(?:\s[A-Z][\w-]+)?)", after
                )
                if m and (lx.city_country(m.group(1)) or lx.country_of(m.group(1))):
                    e.country = lx.city_country(m.group(1)) or lx.country_of(m.group(1))
                    break
                # "South Korea's third largest vehicle maker, X's revenue": an apposition before it.
                m = re.search(
                    rf"({cre.pattern})['’]s\s(?:[\w-]+\s){{0,4}}?{lx.COMPANY_NOUNS_EN}s?,\s?$", t[max(0, s - 90) : s]
                )
                if m:
                    e.country = lx.country_of(m.group(1))
                    break
                # Korea's own stock markets list Korean companies: "X, the largest drugmaker on the Kosdaq",
                # "Kosdaq-listed X".
                if re.match(r",[^.,]{0,60}\b(?:Kosdaq|KOSDAQ|KOSPI|Kospi)\b", t[end : end + 80]) or re.search(
                    r"\b(?:Kosdaq|KOSDAQ|KOSPI|Kospi|코스닥|코스피)[- ]?(?:listed|상장사인?)\s$", t[max(0, s - 30) : s]
                ):
                    e.country = "KR"
                    break
                # "X, the South Korean company, said": a country in an apposition right after the name.
                country = lx.country_after_name(t[end : end + 60])
                if country:
                    e.country = country
                    break
            if not e.country and self.language == "ja" and re.fullmatch(r"[\u3040-\u30ff\u4e00-\u9fff々]+", e.name):
                e.country, e.country_guessed = "JP", True  # in Japanese news a kanji name with no cue is domestic
            if not e.country and self.language == "ko":
                # A Hangul-only name in Korean news is a domestic company, and so is a group's Latin
                # initials before a Hangul name ("AB전자"): foreign names are transliterated whole.
                if re.fullmatch(r"[가-힣0-9 ]+", e.name):
                    foreign = r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]"
                elif re.fullmatch(r"[A-Z]{1,4}[가-힣][가-힣0-9 ]*", e.name):
                    foreign = r"[\u3040-\u30ff\u4e00-\u9fff]"
                else:
                    continue
                if not any(re.search(foreign, a) for a in e.aliases):
                    e.country, e.country_guessed = "KR", True
        # "일본 통신업체 X그룹 산하의 Y", "X's subsidiary Y": a unit is of its parent's country.
        by_end = {b: o for o in self.entities if o.kind == "company" and o.country for _, b in o.spans}
        for e in targets:
            if e.kind != "company" or (e.country and not e.country_guessed):
                continue
            for s, _ in e.spans:
                m = re.search(
                    r"(\S)\s?(?:산하의?|계열사인?|자회사인?|傘下の|旗下的?|['’]s (?:unit|subsidiary|affiliate))\s$",
                    t[max(0, s - 20) : s],
                )
                parent = by_end.get(max(0, s - 20) + m.end(1)) if m else None
                if parent is not None and parent is not e:
                    e.country, e.country_guessed = parent.country, False
                    break

    def _locate(self) -> None:
        t = self.text
        for e in self.entities:
            if e.kind != "jv":
                continue
            for s, _ in e.spans:
                window = t[max(0, s - 60) : s + 160]
                m = (
                    re.search(r"([가-힣]{2,6}(?:시|군|구|도))에\s(?:설립|세우|둥지)", window)
                    or re.search(
                        r"(?:based|registered|located|headquartered) in ([A-Z][\w-]+(?:\s[A-Z][\w-]+)?)", window
                    )
                    or re.search(r"разместится в ([\w\s]{3,30}?)[.,]", window)
                )
                if m:
                    e.location = m.group(1).strip()
                    break


# Names that say where a company is registered, whatever the article's language: a local
# subsidiary named for Korea is Korean; kana is only written for Japanese names; these legal forms
# belong to one country's company law.
_FORM_COUNTRIES = [
    (re.compile(r"(?i)\bkorea\b|코리아|コリア|韓国|韩国"), "KR"),
    (re.compile(r"[\u3040-\u30ff]"), "JP"),
    (re.compile(r"^(?:ООО|АО|ПАО|ЗАО|ОАО)\s*«|^(?:ООО|ПАО|ЗАО|ОАО)\s"), "RU"),
    (re.compile(r"^[\u4e00-\u9fff]{2,}(?:股份有限公司|有限责任公司|有限公司)$"), "CN"),
    (re.compile(r"(?i)\b(?:pvt\.?\s*ltd|private\s+limited)\b"), "IN"),
]


# Acronyms of agreements, fields and offices that news writes in capitals: never a company.
_GENERIC_ACRONYM = re.compile(r"^(?:MOU|MoU|LOI|IT|ICT|AI|IoT|R&D|CEO|CFO|CTO|COO|IR|IPO|M&A|FDI|EV|OEM|ESG|СП|JV)$")


def _occurrences(text: str, needle: str) -> list[int]:
    """Where ``needle`` occurs, by ``str.find``: a pattern per name would fill ``re``'s cache."""
    out, i = [], text.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = text.find(needle, i + len(needle))
    return out


def country_by_form(name: str) -> str | None:
    for pattern, country in _FORM_COUNTRIES:
        if pattern.search(name):
            return country
    return None


@lru_cache(maxsize=65536)
def _key(name: str) -> str:
    # Pure, and asked again for every known form each time a name is added.
    return normalize_name(name)
