"""Chinese: jieba's part-of-speech tagger (jieba on PyPI, dictionary shipped, offline).

A name is an organisation (nt), another proper noun (nz), a transliterated name (nrt) or a Latin
word (eng) in a deal sentence, with a company word glued after it (集团, 公司, 汽车 ...) and a
country before it dropped ("韩国星光电子公司" is 星光电子公司 from KR). Places (ns) and public
bodies (…省, …市, …部) are not names.
"""

import logging
import re
from functools import lru_cache

from .. import lexicon as lx
from . import Name

_HMM_MAX_CHARS = 120
_TITLE_AFTER = re.compile(
    r"^(?:集[團团]|公司|電子|电子)?(?:會長|会长|董事長|董事长|總裁|总裁|社長|社长|總經理|总经理|CEO)"
)
# Characters that only traditional script writes (their simplified forms differ).
_TRADITIONAL = re.compile(r"[這們國會與進說為對經發來時實現關將從開業產資際術體書簽統區際]")


def _traditional(sentence: str) -> bool:
    return len(_TRADITIONAL.findall(sentence)) >= 2


_NAME_FLAGS = ("nt", "nz", "nrt", "eng")
_SUFFIX = re.compile(
    r"^(?:集团|公司|有限公司|股份有限公司|控股|电子|汽车|科技|化学|能源|株式会社|集團|有限公司|電子|汽車|食品|株式會社)$"
)
_GENERIC = re.compile(r"^(?:外资|外商|企业|公司|项目|集团|韩资|中韩|MOU|GDP|FDI|CEO)$")


@lru_cache(maxsize=1)
def _posseg():
    """jieba's tagger; the dictionary loads on first use (~1 s) and once per process."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    out: list[Name] = []
    for a, b in spans:
        # jieba's HMM finds unknown names but its Viterbi pass over ~250 tags costs ~1 ms a character:
        # kept for sentences of news length, skipped for longer runs (a forum page's boilerplate).
        # for news-length sentences in simplified script; traditional script is mostly outside its
        # dictionary, so the HMM would run over every character.
        words = list(_posseg().cut(text[a:b], HMM=b - a <= _HMM_MAX_CHARS and not _traditional(text[a:b])))
        pos = a
        located = []
        for w in words:
            located.append((pos, w.word, w.flag))
            pos += len(w.word)
        # "韩国星光电子公司": common nouns (n) before 公司/集团, after a country or a clause start.
        for k, (start, word, _flag) in enumerate(located):
            if word not in ("公司", "集团", "株式会社", "集團", "株式會社") or k == 0:
                continue
            j = k
            while j > 0 and located[j - 1][2] in ("n", "nz", "nt", "nrt", "eng") and k - j < 3:
                j -= 1
            if j < k and (j == 0 or located[j - 1][2] in ("ns", "x", "p", "c", "uj")):
                country = lx.country_of(located[j - 1][1]) if j > 0 and _is_country(located[j - 1][1]) else None
                s0 = located[j][0]
                out.append(Name(s0, start + len(word), text[s0 : start + len(word)], country))
        i = 0
        while i < len(located):
            start, word, flag = located[i]
            in_url = flag == "eng" and (
                text[start - 1 : start] in "./" or text[start + len(word) : start + len(word) + 1] in "./"
            )
            if flag not in _NAME_FLAGS or len(word) < 2 or _GENERIC.match(word) or word in lx.EN_NOT_NAMES or in_url:
                i += 1
                continue
            end = start + len(word)
            j = i + 1
            while j < len(located) and _SUFFIX.match(located[j][1]):
                end = located[j][0] + len(located[j][1])
                j += 1
            name = text[start:end]
            country = None
            for cue, code in lx.country_cues():
                if not cue.isascii() and name.startswith(cue) and len(name) > len(cue) + 1:
                    name, start, country = name[len(cue) :], start + len(cue), code
                    break
            if i > 0 and located[i - 1][2] == "ns" and _is_country(located[i - 1][1]):
                country = country or lx.country_of(located[i - 1][1])
            i = j
            if _TITLE_AFTER.match(text[start + len(name) : start + len(name) + 8]):
                continue  # "星光電子會長王明": a guest's company in a list of guests, not a party
            if (
                lx.is_place(name)
                or lx.is_government_name(name)
                or re.search(r"(?:省|市|区|县|部|局|委员会|政府)$", name)
            ):
                continue
            out.append(Name(start, start + len(name), name, country))
    return out


_is_country = lx.is_country_word


def bodies(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    """Provinces and cities jieba tags as places (ns) that end like one: 江苏省, 苏州市."""
    out: list[Name] = []
    for a, b in spans:
        pos = a
        # Provinces and cities are dictionary words: no HMM pass for unknown words (the slow part).
        for w in _posseg().cut(text[a:b], HMM=False):
            if w.flag == "ns" and re.search(r"(?:省|市|自治区|县)$", w.word) and len(w.word) >= 3:
                out.append(Name(pos, pos + len(w.word), w.word, "CN"))
            pos += len(w.word)
    return out


@lru_cache(maxsize=4096)
def tags(name: str) -> dict[str, float]:
    """What jieba makes of a candidate name on its own (the learned decisions read it): shares of
    common nouns, name-like words (organisations, proper, transliterated, Latin), persons and places."""
    words = [w for w in _posseg().cut(name) if w.word.strip()]
    if not words:
        return {}
    n = len(words)
    return {
        "tag_common": sum(w.flag in ("n", "vn", "v", "a", "d") for w in words) / n,
        "tag_proper": sum(w.flag in _NAME_FLAGS for w in words) / n,
        "tag_person": sum(w.flag == "nr" for w in words) / n,
        "tag_place": sum(w.flag == "ns" for w in words) / n,
        "tag_pieces": min(n, 6) / 6,
    }
