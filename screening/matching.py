"""Matching names across scripts against the sanctions lists and the LEI registry: the one module.

A name becomes *forms*: its words with legal forms dropped (``deals.names``, the project's one
normalisation), transliterated to Latin (anyascii), joined into a *full key*, reduced to a
*sound-alike skeleton* (consonants only, b/v, p/f, r/l, k/g, t/d folded: 노르드빅, Нордвик and
Nordvik all give ``nrtbk``), and its *distinctive words* (longer than three letters, not a generic
business word). Lists store these keys (``ListedName``); screening a name looks them up by index,
never by a scan, and a word shared by more than ``WORD_CAP`` entities is no evidence at all. Each
candidate is then scored with rapidfuzz, with the country as evidence for or against, and every
score carries its reasons.

A short name (under four letters once transliterated) or a name made only of common words never
flags: "Global Trading" or "LG" say nothing about which entity is meant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

from deals.names import name_words

MIN_KEY = 4  # letters of the transliterated name, below which a name never flags
MIN_SOUND = 5  # consonants of a sound-alike skeleton, below which it is too common to mean anything
WORD_CAP = 50  # entities sharing a word, above which the word is too common to find candidates by
CANDIDATE_CAP = 200
STRONG = 90
POSSIBLE = 80

# CJK legal forms are written glued to the name (华为技术有限公司, 株式会社ノルドビック), where the
# shared normalisation, which needs a word boundary, leaves them.
_CJK_FORMS = re.compile(
    r"^(?:株式会社|有限会社|合同会社)|(?:股份有限公司|有限责任公司|有限責任公司|有限公司|株式会社|有限会社|集团|集團)$"
)

# Words that name no one in particular, in the languages the tracker reads; compared after
# transliteration, so 글로벌, Глобал and Global are the same entry.
_GENERIC_SOURCE = """
global international intl trading trade traders group holding holdings industries industry industrial technology
technologies tech energy capital investment investments invest development services service solutions systems
company enterprise enterprises bank partners management resources logistics shipping import export general national
united new first world asia europe korea china russia japan america american korean chinese russian electronics
electronic chemical chemicals materials motors engineering construction consulting ventures venture fund finance
financial securities insurance pharma pharmaceutical bio biotech digital smart green power star sun one best alpha
prime golden royal eastern western northern southern east west north south central the and of for semiconductor
network networks software media commerce commercial metal metals steel oil gas mining machinery equipment products
글로벌 인터내셔널 트레이딩 그룹 홀딩스 테크 테크놀로지 에너지 캐피탈 인베스트먼트 코리아 한국 산업 전자 화학 기술 무역 건설 은행
투자 개발 바이오 솔루션 시스템 엔지니어링 파트너스 코퍼레이션 컴퍼니 인더스트리 머티리얼즈 반도체 소재 중공업
глобал интернешнл трейдинг групп группа холдинг технологии технология энерго капитал инвест развитие банк торговый
дом компания россия русский промышленный завод инжиниринг сервис
集团 科技 国际 贸易 中国 投资 控股 银行 能源 技术 实业 工业 グループ ホールディングス テクノロジー 国際 商事 工業
"""


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"(.)\1+")


def _latin(word: str) -> str:
    if word.isascii():
        return _NOT_ALNUM.sub("", word.casefold())
    # A geminating small tsu and the long-vowel mark only lengthen the sound next to them.
    word = word.replace("ッ", "").replace("っ", "").replace("ー", "")
    return _NOT_ALNUM.sub("", anyascii(word).casefold())


GENERIC = frozenset(_latin(w) for w in _GENERIC_SOURCE.split())

_DIGRAPHS = (("tch", "c"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("sh", "s"), ("ch", "c"), ("kh", "k"), ("ts", "c"))
_FOLD = str.maketrans({"b": "b", "c": "k", "d": "t", "f": "p", "g": "k", "l": "r", "q": "k", "v": "b", "z": "j",
                       "x": "ks", "a": None, "e": None, "i": None, "o": None, "u": None, "y": None, "w": None,
                       "h": None})  # fmt: skip


def sound_key(latin: str) -> str:
    """Consonants only, similar sounds folded together, repeats collapsed: a transliteration-proof
    skeleton for finding candidates, never a score on its own."""
    s = latin
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_FOLD)
    return _REPEATS.sub(r"\1", s)


@dataclass(frozen=True)
class Forms:
    """What matching needs of one name."""

    name: str
    words: tuple[str, ...]  # transliterated, legal forms dropped
    full: str
    sound: str
    distinctive: tuple[str, ...]
    core_sound: str  # the skeleton of the distinctive words alone (노르드빅 홀딩스 ~ Nordvik)

    @property
    def sounds(self) -> set[str]:
        return {s for s in (self.sound, self.core_sound) if len(s) >= MIN_SOUND}

    @property
    def latin(self) -> str:
        return " ".join(self.words)

    @property
    def flaggable(self) -> bool:
        """A short name or one made of common words only never flags."""
        return len(self.full) >= MIN_KEY and bool(self.distinctive)


@lru_cache(maxsize=65536)
def forms(name: str) -> Forms:
    native = unicodedata.normalize("NFKC", name or "")
    native = _CJK_FORMS.sub("", native.strip()) or native
    native_words = name_words(native)
    words = [w for w in (_latin(w) for w in native_words) if w]
    if not all(w.isascii() for w in native_words):
        # A transliterated legal form (OOO, Ltd written in another script) goes the second time round.
        words = [w for w in (_latin(w) for w in name_words(" ".join(words))) if w] or words
    full = "".join(words)
    distinctive = tuple(w for w in words if len(w) >= MIN_KEY and w not in GENERIC)
    return Forms(name=name, words=tuple(words), full=full, sound=sound_key(full), distinctive=distinctive,
                 core_sound=sound_key("".join(distinctive)))  # fmt: skip


def keys_of(names: Iterable[str]) -> list[tuple[str, str, str]]:
    """(kind, key, name) rows to index for an entity's names; short and generic names get none."""
    out: dict[tuple[str, str], str] = {}
    for name in names:
        f = forms(name)
        if not f.flaggable:
            continue
        out.setdefault(("full", f.full[:255]), name)
        for sound in f.sounds:
            out.setdefault(("sound", sound[:255]), name)
        for w in f.distinctive:
            out.setdefault(("word", w[:255]), name)
    return [(kind, key, name[:500]) for (kind, key), name in out.items()]


@dataclass
class Candidate:
    """A listed (or registered) entity that may be the company, ranked by ``score``."""

    entity_id: object
    score: int
    query_name: str
    matched_name: str
    reasons: list[str] = field(default_factory=list)

    @property
    def strength(self) -> str | None:
        if self.score >= STRONG:
            return "strong"
        if self.score >= POSSIBLE:
            return "possible"
        return None


def _pair_score(q: Forms, e: Forms) -> tuple[int, str]:
    if q.full == e.full:
        return 100, "same name once legal forms and script are set aside"
    ratio = int(fuzz.token_sort_ratio(q.latin, e.latin))
    if sorted(q.distinctive) == sorted(e.distinctive):
        return max(88, ratio), f"same distinctive words ({' '.join(q.distinctive)}), only common words differ"
    if q.sounds & e.sounds:
        return max(85, ratio), "sounds the same once transliterated"
    core = int(fuzz.token_sort_ratio(" ".join(q.distinctive), " ".join(e.distinctive))) - 5
    if core > ratio:
        return core, f"distinctive words {core + 5}% alike (−5 for the other words)"
    return ratio, f"names {ratio}% alike"


def score(query_names: Iterable[str], country: str, entity_names: Iterable[str],
          entity_countries: Iterable[str]) -> Candidate | None:  # fmt: skip
    """The best pairing of the company's names with the entity's, adjusted by country."""
    best: tuple[int, str, str, str] | None = None
    entity_forms = [forms(n) for n in entity_names if n]
    for qn in query_names:
        q = forms(qn)
        if not q.flaggable:
            continue
        for e in entity_forms:
            if not e.full:
                continue
            s, why = _pair_score(q, e)
            if best is None or s > best[0]:
                best = (s, why, qn, e.name)
    if best is None:
        return None
    s, why, qn, en = best
    reasons = [f"{why}: “{qn}” ~ “{en}” ({s})"]
    codes = {c.strip().upper()[:2] for c in entity_countries if c and c.strip()}
    if country and codes:
        if country.upper() in codes:
            s = min(100, s + 5)
            reasons.append(f"same country ({country.upper()}): +5")
        else:
            s = max(0, s - 10)
            reasons.append(f"different country ({country.upper()} vs {', '.join(sorted(codes))}): −10")
    return Candidate(entity_id=None, score=s, query_name=qn, matched_name=en, reasons=reasons)


def lookup_keys(query_names: Iterable[str]) -> tuple[set[str], set[str], set[str]]:
    """The full keys, sound keys and distinctive words to look up for a company's names."""
    fulls, sounds, words = set(), set(), set()
    for n in query_names:
        f = forms(n)
        if not f.flaggable:
            continue
        fulls.add(f.full[:255])
        sounds.update(sound[:255] for sound in f.sounds)
        words.update(w[:255] for w in f.distinctive)
    return fulls, sounds, words


def candidate_ids(key_model, query_names: Iterable[str], *, active: dict | None = None) -> list:
    """Ids of entities sharing a key with the names, found by index: whole names and sound keys, and
    each distinctive word with at most ``WORD_CAP`` + 1 rows (a commoner word is dropped as no
    evidence). On PostgreSQL one statement (a UNION ALL of limited branches); elsewhere one a key."""
    from django.db import connection
    from django.db.models import IntegerField, Q, Value

    fulls, sounds, words = lookup_keys(query_names)
    if not fulls:
        return []
    scope = {f"entity__{k}": v for k, v in (active or {}).items()}
    objects = key_model.objects.order_by()
    branches = [objects.filter(Q(kind="full", key__in=fulls) | Q(kind="sound", key__in=sounds), **scope)
                [:CANDIDATE_CAP]]  # fmt: skip
    ordered = sorted(words, key=len, reverse=True)
    branches += [objects.filter(kind="word", key=w, **scope)[: WORD_CAP + 1] for w in ordered]
    branches = [b.annotate(src=Value(i, output_field=IntegerField())).values_list("entity_id", "src")
                for i, b in enumerate(branches)]  # fmt: skip
    if connection.features.supports_slicing_ordering_in_compound and len(branches) > 1:
        rows = list(branches[0].union(*branches[1:], all=True))
    else:
        rows = [row for b in branches for row in b]
    found: dict[int, list] = {}
    for entity_id, src in rows:
        found.setdefault(src, []).append(entity_id)
    ids: list = []
    for src in range(len(branches)):
        group = found.get(src, [])
        if src and len(group) > WORD_CAP:
            continue
        ids.extend(i for i in group if i not in ids)
    return ids[:CANDIDATE_CAP]


def rank(
    query_names: list[str], country: str, entities: Iterable[tuple[object, list[str], list[str]]]
) -> list[Candidate]:
    """Candidates ``(id, names, countries)`` scored and ranked, best first; unscored ones dropped."""
    out = []
    for entity_id, names, countries in entities:
        c = score(query_names, country, names, countries)
        if c is not None:
            c.entity_id = entity_id
            out.append(c)
    return sorted(out, key=lambda c: (-c.score, str(c.entity_id)))
