"""English: capitalised spans in the sentences that report a deal.

No model: a run of capitalised words (with "&", "of", "de" inside, a legal form after) where a
party stands, minus what capitals also mark in English: a sentence's first word, months and days,
countries and demonyms, people (a title before or after), places and public bodies. "A and B"
is two names; "Germany's X", "X, a Japanese maker" and "Dutch maker X" give X a country.
"""

import re

from .. import lexicon as lx
from . import Name

_WORD = r"(?:[A-Z][\w&'’.-]*[\w&]|[A-Z]|\d+[A-Z][\w-]*)"
_RUN = re.compile(rf"(?<![\w&'’.-]){_WORD}(?:(?:\s|\s(?:&|of|de|von|and)\s|-){_WORD}){{0,6}}")
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof)\.?|\b(?:CEO|chief executive|chairman|chairwoman|president|minister|governor|mayor|"
    r"director|officer|head|founder|secretary|spokesman|spokeswoman|spokesperson|analyst|ambassador|vice|"
    r"entrepreneur|businessman|businesswoman|billionaire|tycoon|"
    r"Minister|Governor|Mayor|President|Chairman|Secretary|Commissioner)\b,?)\s$"
)
_PERSON_AFTER = re.compile(
    r"^\s?\((?:CEO|chairman|president|founder|MD)\)|^,?\s(?:the\s)?(?:\w+\s)?(?:CEO|chief|chairman|chairwoman|president|minister|governor|mayor|director|head|"
    r"founder|secretary)\b"
)
# Words that close a capitalised run without belonging to the name before them.
_NOT_LAST = frozenset(
    "MOU MoU LOI Memorandum Understanding Agreement Deal Contract Monday Tuesday Wednesday Thursday Friday Saturday"
    " Sunday January February March April May June July August September October November December Province City"
    " Ministry Government The A An And Of".split()
)
_OFFICE_BEFORE = re.compile(r"\b(?:Minister|Ministry|Department|Secretary|Office|Commissioner)\s(?:for|of)\s$")
_INITIALS = re.compile(r"^(?:[A-Z]\.\s?){1,3}[A-Z][a-z]+$")
_INITIALS_PERSON = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){2,3}[A-Z][a-z]+\b")
_UNIT = re.compile(r"^\d+(?:[.,]\d+)?\s?(?:GWh|MWh|kWh|GW|MW|kW|nm|mm|km|kg|t)$")
_PLACE_AFTER = re.compile(r"^(?:-based|\s(?:Province|province|state|State|city|City|county|County|region|Region))")
_PLACE_BEFORE = re.compile(r"\b(?:in|near|at|to|from|into|across|outside)\s$|\b(?:in|near|across|outside) the\s$")
_POSSESSIVE_COUNTRY = re.compile(r"([A-Z][\w.]*(?:\s[A-Z][\w.]*)?)['’]s\s$")


_TITLE = r"(?:Minister|President|Chairman|Chairwoman|Governor|Mayor|Ambassador|Secretary|Premier|Commissioner|CEO)"
_TITLED = re.compile(
    rf"\b(?:{_TITLE}|entrepreneur|businessman|businesswoman|billionaire|tycoon)\s((?:[A-Z][\w'’]*(?:-\s?|\s)?){{1,3}})"
)
_BYLINE = re.compile(r"(?:^|\n)[ \t]*(?:By|by)\s$")
_EVENT = re.compile(
    r"\s(?:Day|Days|Forum|Summit|Expo|Conference|Fair|Week|Festival|Roadshow|Seminar|Symposium|Ceremony|"
    r"Exhibition|Show|Meeting|Dialogue)$"
)
# "the business daily X", "news agency X": the press that reports a deal, not a party to it
_PRESS_BEFORE = re.compile(r"\b(?:daily|newspaper|news agency|agency|magazine|broadcaster|weekly|tabloid|outlet)\s$")


def _people_words(text: str) -> set[str]:
    """The words of every name a title introduces ("President Ada Ferrow"): the same words alone
    later ("Ferrow visited") are that person, not a company."""
    return {w.strip("-’'") for m in _TITLED.finditer(text) for w in m.group(1).split()} - {""}


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    out: list[Name] = []
    branded = _lowercase_brands(text)
    people = _people_words(text)
    for a, b in spans:
        # "M.B. Patil": initials and a surname name a person; the run breaks at the last dot.
        initials = [m.span() for m in _INITIALS_PERSON.finditer(text, a, b)]
        for m in _RUN.finditer(text, a, b):
            if _OFFICE_BEFORE.search(text[max(a, m.start() - 30) : m.start()]):
                continue  # "Minister for Large and Medium Industries": an office, not a company
            if any(s <= m.start() < e for s, e in initials):
                continue
            end = m.end()
            brand = _BRAND.match(text, m.start())
            if brand and brand.end(1) == m.end() and (brand.group(1), brand.group(2)) in branded:
                end = brand.end()
            for s, e in _split_and(text, m.start(), end):
                found = _name(text, s, e, a, people)
                if found:
                    out.append(found)
    return out


_BRAND = re.compile(r"([A-Z]{2,4})\s([a-z]{4,})\b")
_NOT_BRAND = re.compile(
    r"^(?:said|says|will|would|could|should|also|plans|signed|agreed|announced|added|expects|holds|owns|"
    r"which|that|with|from|into|and|has|have|had|this|their|unit|affiliate|subsidiary|chairman|group|shares?)$|"
    r"(?:ed|ly|ing)$"
)


def _lowercase_brands(text: str) -> set[tuple[str, str]]:
    """ "SK bioscience", "SK hynix": an acronym and a lowercase word, written alike at least twice
    and not a verb or a function word, are one name (the house's own spelling)."""
    seen: dict[tuple[str, str], int] = {}
    for m in _BRAND.finditer(text):
        if not _NOT_BRAND.search(m.group(2)):
            key = (m.group(1), m.group(2))
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= 2}


def _split_and(text: str, s: int, e: int) -> list[tuple[int, int]]:
    parts, pos = [], s
    for m in re.finditer(r"\s(?:and)\s", text[s:e]):
        left = text[pos : s + m.start()]
        if len(left.split()) >= 1 and not left.endswith((" of", " de")):
            parts.append((pos, s + m.start()))
            pos = s + m.end()
    parts.append((pos, e))
    return parts if len(parts) > 1 and all(len(text[x:y]) > 2 for x, y in parts) else [(s, e)]


def _name(
    text: str, s: int, e: int, sentence_start: int, people: frozenset[str] | set[str] = frozenset()
) -> Name | None:
    if _country_word(text[s:e]) or lx.is_government_name(text[s:e]):
        return None  # "Saudi Arabia" is not "Arabia", "Government of X" is not "of X"
    if text[sentence_start:s].strip() == "" and re.match(r"^[A-Z][a-z]+,", text[s : e + 1]):
        return None  # "Additionally, ..." opens a sentence
    words = text[s:e].split()
    # Drop leading words that are not part of a name ("The", "Korean", "Germany's").
    while words and (words[0].rstrip("'’s") in lx.EN_NOT_NAMES or _country_word(words[0])
                     or words[0].endswith("-based")):  # fmt: skip
        s = text.index(words[0], s) + len(words[0])
        words.pop(0)
        while s < e and text[s] in " -":
            s += 1
    while len(words) >= 3 and words[-2] == "of" and lx.is_place(words[-1]):
        e = text.rindex(" of ", s, e)  # "Marlowe Instruments of Boston"
        words = words[:-2]
    while words and words[-1] in _NOT_LAST:
        e = text.rindex(words[-1], s, e)
        words.pop()
        while e > s and text[e - 1] in " -":
            e -= 1
    while words and words[0] in ("of", "and", "&", "de", "von"):
        s = text.index(words[0], s) + len(words[0]) + 1
        words.pop(0)
    if not words:
        return None
    name = re.sub(r"-based$", "", text[s:e].rstrip(".,'’"))
    possessive = re.search(r"['’]s\s(\S+)$", name)
    if possessive and _country_word(possessive.group(1)):
        name = name[: possessive.start()]  # "Arvelo's German shareholders": Arvelo
    name = re.sub(r"['’]s$", "", name)
    e = s + len(name)
    if len(name) < 2 or lx.is_government_name(name) or _country_word(name) or lx.is_place(name):
        return None
    if all(w in lx.EN_NOT_NAMES for w in name.split()) or _INITIALS.match(name) or _UNIT.match(name):
        return None
    if re.fullmatch(r"[A-Z]{2,6}s", name):
        return None  # "SUVs", "USVs": a plural, so a kind of thing, not a company
    if re.search(rf"\s{_TITLE}\s", name) or all(w.strip("-’'") in people for w in name.split()):
        return None  # "Trade Minister Ada Ferrow", and "Ferrow" once a title has introduced her
    if name.isupper() and lx.is_place(name.title()):
        return None  # "NEW DELHI :" opens a dateline
    if _governed(text, name):
        return None  # "the Government of Karnataka ... Karnataka secured": a state, not a company
    before, after = text[max(sentence_start, s - 40) : s], text[e : e + 40]
    if _PERSON_BEFORE.search(before) or _PERSON_AFTER.match(after) or _PLACE_AFTER.match(after):
        return None
    if _PRESS_BEFORE.search(before) or _BYLINE.search(text[max(0, s - 12) : s]):
        return None
    if _EVENT.search(name) or lx.rx(rf"{lx.EN_LEGAL}\.?,? of\s$").search(before):
        return None  # "the Korea-Norway Innovation Day", "X Ltd. of Haifa": an event, a seat
    if re.search(r"\bgovernment['’]s\s$", before, re.I) or re.match(r"^\s(?:from|of) the (?:\w+ )?government\b", after):
        return None  # "the government's Coastal Growth Fund", "X Funding from the UK government": public programmes
    if _PLACE_BEFORE.search(before) and not lx.rx(rf",?\s{lx.EN_LEGAL}").match(after):
        return None
    if after.startswith("'s ") or after.startswith("’s "):
        if re.match(r"^['’]s\s(?:\w+\s)?(?:government|ministry|province|city|state)", after, re.I):
            return None
    country = _country_before(before) or lx.country_after_name(after)
    return Name(s, e, name, country)


def _governed(text: str, name: str) -> bool:
    """The article names a government of this place: "Government of X", "X's government", "state of X"."""
    n = re.escape(name)
    return bool(
        re.search(rf"\b(?:[Gg]overnment|[Ss]tate|[Pp]rovince) of {n}\b|\b{n}(?:['’]s)? (?:state )?government\b", text)
    )


def _country_word(word: str) -> bool:
    word = word.rstrip(",.").removesuffix("'s").removesuffix("’s")
    return lx.is_country_word(word) or lx.is_country_word(word + ".")  # "U.S" once its last dot is cut


def _country_before(before: str) -> str | None:
    m = _POSSESSIVE_COUNTRY.search(before)
    if m and _country_word(m.group(1)):
        return lx.country_of(m.group(1))
    # "Dutch equipment maker X", "South Korean X": a country word, then at most three lowercase words
    # (looked up word by word: a regex of every country name cost 150 MB and seconds to compile).
    words = before.split()[-5:]
    for k in range(len(words) - 1, -1, -1):
        tail = words[k + 1 :]
        if len(tail) > 3 or any(not w[:1].islower() for w in tail):
            break
        for n in (2, 1):
            cue = " ".join(words[max(0, k - n + 1) : k + 1])
            cue = re.sub(r"(?:-based|-owned|-headquartered)$", "", cue)
            if lx.is_country_word(cue) and (not tail or re.search(lx.COMPANY_NOUNS_EN, " ".join(tail))):
                return lx.country_of(cue)
    return None
