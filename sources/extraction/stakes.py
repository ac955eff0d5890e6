"""Stake percentages: "지분 51%…49%", "a 49% stake", "出資比率51%", "持股49%", "доля 49%", "Anteil von 49 %".

A percentage counts as a stake when a stake word stands within a few characters of it in the same
sentence. It goes to the party named nearest before it (the holder: "A가 51%, B가 49%"), or, when
several stakes follow several parties with no name between the stakes ("A와 B가 각각 51%, 49%의
지분"), to the parties in the order they are named. A party named as the company whose shares are
held ("B의 지분", "a stake in B", "Anteil an B") is not the holder and gets no stake from that
mention. General patterns only, in the six languages the extractor reads.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

STAKE_WORDS = re.compile(
    # not 株式会社 nor 股份有限公司: those are legal forms in company names
    r"지분(?:율)?|stakes?|shareholding|株式(?!会社)|出資比率|出資|持株|股份(?!有限)|股权|持股|"
    r"дол(?:я|ю|и|ей)|пакет\w*|Anteil\w*|Beteiligung\w*",
    re.I,
)
PERCENT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s?(?:%|％|percent\b|per cent\b|퍼센트|процент\w*|Prozent\b)",
    re.I,
)
# A name right before one of these, or right after one of the English, German and Russian ones,
# is the company whose shares are held, not the holder.
OBJECT_AFTER_NAME = re.compile(r"^\s?(?:의|'s|’s|の|的|社の)")
OBJECT_BEFORE_NAME = re.compile(r"(?:stake|interest|equity|shares?)\s(?:in|of)\s(?:the\s)?$|Anteil\w*\san\s(?:der\s|dem\s)?$|"
                                r"(?:дол\w+|пакет\w*)\sв\s$", re.I)  # fmt: skip
CUE_WINDOW = 40  # characters between a stake word and its percentage
LIST_WINDOW = 30  # characters between two stakes of one list
NAME_WINDOW = 80  # characters back from a percentage to the name it belongs to


@dataclass(frozen=True)
class Stake:
    party: int  # index into the parties given
    percent: Decimal
    start: int  # the evidence: from the holder's name to the percentage
    end: int


def _percent(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if 0 < value <= 100 else None


def _stake_percents(sentence: str, offset: int) -> list[tuple[int, int, Decimal]]:
    """Percentages near a stake word, and those listed with one ("지분은 A 51%, B 49%")."""
    cues = [(m.start(), m.end()) for m in STAKE_WORDS.finditer(sentence)]
    candidates = [(m.start(), m.end(), v) for m in PERCENT.finditer(sentence) if (v := _percent(m.group(1)))]
    accepted: set[int] = set()
    changed = True
    while changed:
        changed = False
        anchors = [(cs, ce, CUE_WINDOW) for cs, ce in cues]
        anchors += [(candidates[i][0], candidates[i][1], LIST_WINDOW) for i in accepted]
        for i, (s, e, _) in enumerate(candidates):
            if i in accepted:
                continue
            if any(abs(s - ae) <= w or abs(as_ - e) <= w for as_, ae, w in anchors):
                accepted.add(i)
                changed = True
    return [(offset + s, offset + e, v) for i, (s, e, v) in enumerate(candidates) if i in accepted]


def _holder_mentions(
    text: str, mentions: Sequence[Iterable[tuple[int, int]]], lo: int, hi: int
) -> list[tuple[int, int, int]]:
    """(start, end, party) of each name in [lo, hi) that names a holder, not the held company."""
    out = []
    for party, spans in enumerate(mentions):
        for s, e in spans:
            if lo <= s and e <= hi:
                if OBJECT_AFTER_NAME.match(text[e : e + 4]) or OBJECT_BEFORE_NAME.search(text[max(0, s - 20) : s]):
                    continue
                out.append((s, e, party))
    return sorted(out)


def find_stakes(
    text: str, sentences: Iterable[tuple[int, int]], mentions: Sequence[Iterable[tuple[int, int]]]
) -> list[Stake]:
    """Stakes in ``sentences`` (start, end offsets into ``text``) for the parties whose name
    spans are ``mentions`` (one list per party). One stake per party: the first found."""
    mentions = [list(m) for m in mentions]
    stakes: dict[int, Stake] = {}
    for lo, hi in sentences:
        percents = _stake_percents(text[lo:hi], lo)
        if not percents:
            continue
        names = _holder_mentions(text, mentions, lo, hi)
        if not names and len(percents) == len(mentions) > 1:
            # "두 회사는 지분을 51%와 49%로 나눈다": no name, a stake for each party, in the order
            # the parties were first named
            firsts = sorted((min(spans), p) for p, spans in enumerate(mentions) if spans)
            names = [(s, e, p) for (s, e), p in firsts]
        first = percents[0][0]
        before = [n for n in names if n[1] <= first]
        between = [n for n in names if percents[0][1] <= n[0] < percents[-1][0]]
        order = list(dict.fromkeys(p for _, _, p in before))
        if len(percents) > 1 and not between and len(order) == len(percents):
            # "A와 B가 각각 51%, 49%": the stakes in the order the parties are named
            firsts = {p: next(n for n in before if n[2] == p) for p in order}
            pairs = [(firsts[p], pct) for p, pct in zip(order, percents, strict=True)]
        else:
            pairs = []
            for pct in percents:
                prior = [n for n in names if n[1] <= pct[0] and pct[0] - n[1] <= NAME_WINDOW]
                if prior:
                    pairs.append((prior[-1], pct))
        for (ns, _, party), (_, pe, value) in pairs:
            stakes.setdefault(party, Stake(party, value, ns, pe))
    return sorted(stakes.values(), key=lambda s: s.party)
