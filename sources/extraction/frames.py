"""Deal frames: which sentences report a concluded agreement, and which names, sums and dates
belong to each deal.

A deal sentence has an agreement or deal word, a verb that concludes it, no word of plans,
talks, rumours or cancellation, and a named company or joint venture. Sentences that follow and
name the same parties add their amounts, kinds and dates. "각각"/"each"/"respectively" with
several companies makes one deal per company.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from . import lexicon as lx
from .amounts import Money, find_amounts
from .budget import Budget
from .dates import FoundDate, only_year, resolve_dates
from .entities import Entity

_SENT_RE = re.compile(r"[^\n]+?(?:(?<=[.!?。！？])(?=\s)|(?<=다\.)|$)|[^\n]+", re.M)
_ANNOUNCED_RE = re.compile(r"\s?(?:\(현지시간\)\s?)?(?:밝혔|발표|전했|공시|said|announced)")
_EACH_RE = re.compile(r"각각|각자|\beach\b|respectively|separately|соответственно|それぞれ|分别", re.I)
_SPLIT_RE = re.compile(r"(?<=[.!?。！？])\s+(?=[^a-z0-9])|(?<=다\.)\s*|(?<=[。！？])|\n+")


# Bounds on what the language analysers read: a news sentence is under 500 characters and an
# article reports its deals in a handful of sentences; a "sentence" of 100 KB is a page dump.
MAX_SENTENCE_CHARS = 2_000
MAX_DEAL_SENTENCES = 200
# Below these, a sum is a share price, a unit price or a stray number, never a deal's amount.
_SMALLEST = {"KRW": 10_000_000, "JPY": 1_000_000, "INR": 1_000_000, "RUB": 1_000_000, "CNY": 100_000}


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    concluded: bool = False
    negated: bool = False


@dataclass
class Frame:
    """One deal as assembled from the article's sentences."""

    companies: list[Entity] = field(default_factory=list)
    jv: Entity | None = None
    sentences: list[Sentence] = field(default_factory=list)
    amounts: list[Money] = field(default_factory=list)
    kinds: list[tuple[str, int, int]] = field(default_factory=list)
    government: list[Entity] = field(default_factory=list)
    date: FoundDate | None = None


_ABBREV_END_RE = re.compile(
    r"(?:\b(?:Co|Ltd|Inc|Pte|Pvt|Corp|Bhd|St|Mr|Mrs|Ms|Dr|No|Jr|Sr|vs|approx|Rs|U\.S|e\.g|i\.e|[A-Z])\.|"
    r"(?<![\d.,])\d{1,2}\.)$"  # "am 24. November": a German ordinal, not a sentence's end
)


def sentences_of(text: str) -> list[Sentence]:
    merged: list[Sentence] = []
    for s in _split(text):
        if merged and _ABBREV_END_RE.search(merged[-1].text) and "\n" not in text[merged[-1].end : s.start]:
            prev = merged[-1]
            merged[-1] = Sentence(prev.start, s.end, text[prev.start : s.end])
        else:
            merged.append(s)
    return merged


def _split(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    for part in _SPLIT_RE.split(text):
        if part is None:
            continue
        idx = text.find(part, pos)
        if idx < 0:
            continue
        pos = idx + len(part)
        stripped = part.strip()
        if len(stripped) < 2:
            continue
        start = idx + (len(part) - len(part.lstrip()))
        out.append(Sentence(start, start + len(stripped), stripped))
    return out


def _mentions(entity: Entity, s: Sentence) -> bool:
    return any(a >= s.start and b <= s.end for a, b in entity.spans)


def _acts_in(body: Entity, s: Sentence, f: "Frame", text: str) -> bool:
    """The body is named in the sentence as more than a possessive ("강원도의 투자환경": a topic),
    or the sentence also names one of the deal's companies."""
    spans = [(a, b) for a, b in body.spans if a >= s.start and b <= s.end]
    if not spans:
        return False
    if any(_mentions(c, s) for c in f.companies):
        return True
    return any(not re.match(r"의\s|'s\s|’s\s", text[b : b + 3]) for _, b in spans)


def _first_mention(entity: Entity, s: Sentence) -> int:
    return min((a for a, b in entity.spans if a >= s.start and b <= s.end), default=10**9)


def is_deal_sentence(text: str) -> bool:
    """A sentence that reports a concluded agreement: a deal word, a verb that concludes it, and no
    word of plans, talks, rumours or cancellation."""
    has_agreement = re.search(lx.AGREEMENT_WORDS, text, re.I) or any(r.search(text) for r in lx.KIND_RES.values())
    return bool(has_agreement and lx.CONCLUDED_RE.search(text) and not lx.NEGATED_RE.search(text))


def is_cancellation_sentence(text: str) -> bool:
    """A sentence that reports the end of an agreement: a deal word and a word of cancellation or
    withdrawal (해지, 무산, scrapped, pulled out, расторг, 撤回 ...)."""
    has_agreement = re.search(lx.AGREEMENT_WORDS, text, re.I) or any(r.search(text) for r in lx.KIND_RES.values())
    return bool(has_agreement and lx.CANCEL_RE.search(text))


def deal_spans(text: str, budget: Budget | None = None) -> list[tuple[int, int]]:
    """The spans of the sentences that report a deal, and of the sentence after each (it often names
    the parties: "The firms are A, B and C"), for the language analysers; and the sentences that
    report a deal's end (the parties named there may be a known deal's)."""
    budget = budget or Budget()
    sentences = sentences_of(text)
    keep = set()
    for i, s in enumerate(sentences):
        budget.check("deal sentences")
        if is_deal_sentence(s.text[:MAX_SENTENCE_CHARS]):
            keep.update((i, i + 1))
        elif is_cancellation_sentence(s.text[:MAX_SENTENCE_CHARS]):
            keep.add(i)
    spans = [(sentences[i].start, min(sentences[i].end, sentences[i].start + MAX_SENTENCE_CHARS))
             for i in sorted(keep) if i < len(sentences)]  # fmt: skip
    return spans[:MAX_DEAL_SENTENCES]


def build_frames(text: str, entities: list[Entity], language: str, published: dt.date | None,
                 body_start: int, budget: Budget | None = None) -> list[Frame]:  # fmt: skip
    budget = budget or Budget()
    all_sentences = sentences_of(text)
    sentences = [s for s in all_sentences if s.end > body_start]
    headline = [s for s in all_sentences if s.end <= body_start]
    companies = [e for e in entities if e.kind == "company"]
    jvs = [e for e in entities if e.kind == "jv"]
    govs = [e for e in entities if e.kind == "government"]
    for s in sentences:
        s.concluded = bool(lx.CONCLUDED_RE.search(s.text))
        s.negated = bool(lx.NEGATED_RE.search(s.text))

    year = None if published else only_year(text)
    frames: list[Frame] = []
    frame_of_sentence: dict[int, Frame] = {}
    for i, s in enumerate(sentences):
        budget.check("deal frames")
        if not is_deal_sentence(s.text):
            continue
        named = sorted((c for c in companies if _mentions(c, s)), key=lambda c: _first_mention(c, s))
        jv_here = [j for j in jvs if _mentions(j, s)]
        if not named and frames and jv_here:
            # "양사는 합작법인 X를 세우기로 했다": the previous deal goes on, and names its joint venture.
            frames[-1].sentences.append(s)
            frames[-1].jv = frames[-1].jv or jv_here[0]
            frame_of_sentence[i] = frames[-1]
            continue
        if not named and not jv_here:
            # "The partners signed ...", "양사는 ...": the previous deal goes on. With no deal yet, a
            # deal with no named party: the reviewer fills it in (recall first).
            if not frames:
                if lx.TOTALS_RE.search(s.text):
                    continue
                frames.append(Frame())
            frames[-1].sentences.append(s)
            frame_of_sentence[i] = frames[-1]
            continue
        if len(named) >= 2 and _EACH_RE.search(s.text):
            for c in named:
                f = Frame(companies=[c], sentences=[s])
                frames.append(f)
            frame_of_sentence[i] = frames[-1]
            continue
        target = None
        for f in frames:
            if any(c in f.companies for c in named) or (jv_here and f.jv in jv_here):
                target = f
                break
        if (target is None and frames and not frames[-1].companies and frames[-1].jv is None
                and frame_of_sentence.get(i - 1) is frames[-1]):  # fmt: skip
            target = frames[-1]  # the party-less deal opened just above gets its parties
        if target is None:
            target = Frame()
            frames.append(target)
        for c in named:
            if c not in target.companies:
                target.companies.append(c)
        if jv_here and target.jv is None:
            target.jv = jv_here[0]
        target.sentences.append(s)
        frame_of_sentence[i] = target

    # Later sentences naming a deal's parties (or following it directly) add details.
    for i, s in enumerate(sentences):
        budget.check("deal details")
        if i in frame_of_sentence or (s.negated and lx.CANCEL_RE.search(s.text)):
            continue
        owners = [f for f in frames if any(_mentions(c, s) for c in f.companies) or (f.jv and _mentions(f.jv, s))]
        if not owners and i - 1 in frame_of_sentence:
            prev = frame_of_sentence[i - 1]
            named = [c for c in companies if _mentions(c, s) and not any(c in f.companies for f in frames)]
            if not named:
                owners = [prev]
            elif not prev.companies or len(named) >= 2:
                # "독일 기업 5곳이 ... 체결했다. 기업은 A 3억달러를 비롯 B ...": the parties follow
                # (or the deal's fund is named first and its managers A, B, C in the next sentence),
                # and are of the country the count gave, unless a cue of their own says otherwise.
                # The count may sit in the lead just before the signing ("Drei deutsche … wollen …
                # investieren. … hätten die Unternehmen … unterzeichnet. Dazu zählt A.").
                first = next(
                    (k for k, x in enumerate(sentences) if prev.sentences and x.start == prev.sentences[0].start), 0
                )
                told = [x.text for x in reversed(prev.sentences)] + ([sentences[first - 1].text] if first > 0 else [])
                country = next((c for c in map(_counted_country, told) if c), None)
                for c in named:
                    if country and (c.country is None or c.country_guessed):
                        c.country, c.country_guessed = country, False
                prev.companies.extend(sorted(named, key=lambda c: _first_mention(c, s)))
                owners = [prev]
        if len(owners) == 1 and not owners[0].companies and owners[0].jv and _mentions(owners[0].jv, s):
            # "펀드 X를 설립했다. X에는 A, B(미국), C가 출자한다": a venture named with no party, whose
            # partners the next sentence about it names.
            named = [c for c in companies if _mentions(c, s) and not any(c in f.companies for f in frames)]
            owners[0].companies.extend(sorted(named, key=lambda c: _first_mention(c, s)))
        if len(owners) == 1 and lx.KIND_RES["joint_venture"].search(s.text):
            # "양해각서는 A가 … B와 50 대 50의 지분율로 합작기업을 설립 …": the partner a later sentence
            # names for the deal's joint venture is a party too.
            named = [
                c for c in companies
                if _mentions(c, s) and not any(c in f.companies for f in frames) and _partner_slot(c, s)
            ]  # fmt: skip
            owners[0].companies.extend(sorted(named, key=lambda c: _first_mention(c, s)))
        if len(owners) == 1:
            owners[0].sentences.append(s)
            frame_of_sentence[i] = owners[0]
        elif owners:
            for f in owners:
                f.sentences.append(s)

    out = []
    for f in frames:
        budget.check("deal details")
        f.sentences.sort(key=lambda s: s.start)
        if any(lx.CANCEL_RE.search(s.text) for s in f.sentences if s.concluded or s.negated):
            continue
        for s in f.sentences:
            for j in jvs:
                if f.jv is None and _mentions(j, s):
                    f.jv = j
        if f.jv in f.companies:
            f.companies.remove(f.jv)
        others = [c for c in companies if c not in f.companies and c is not f.jv]
        _fill(f, text, language, published, govs, sentences, headline, others, year)
        out.append(f)
    return out


_COUNTED = re.compile(rf"(?<![가-힣A-Za-z])([가-힣A-Za-z]{{1,20}})\s{lx.COMPANY_COUNT_KO}")


_COUNTED_EN = re.compile(
    r"\b((?:South |North |New |Saudi )?[A-Z][a-z]+)\s(?:[a-z-]+\s){0,2}"
    r"(?:companies|firms|corporations|conglomerates|groups|manufacturers|makers|businesses|investors)\b"
)


# "Drei deutsche Maschinenbauunternehmen", "zwei chinesische Firmen": a lowercase demonym before a
# word for companies (German writes compounds: "-unternehmen" closes the word).
_COUNTED_DE = re.compile(
    r"\b((?:süd|nord)?(?:deutsch|chinesisch|koreanisch|japanisch|amerikanisch|russisch|französisch|britisch)"
    r"(?:e|en|er))\s[\wäöüß-]*(?:[Uu]nternehmen|[Ff]irmen|[Kk]onzerne|[Hh]ersteller)\b"
)


def _partner_slot(c: Entity, s: Sentence) -> bool:
    """The name stands as a partner: "B와 …", "B社と", "with B"."""
    for a, b in c.spans:
        if s.start <= a < s.end and (
            re.match(r"(?:사|社)?(?:와|과|と)", s.text[b - s.start : b - s.start + 3])
            or re.search(r"\bwith\s$", s.text[max(0, a - s.start - 6) : a - s.start])
        ):
            return True
    return False


def _counted_country(text: str) -> str | None:
    """The country of "프랑스 기업 3곳이", "독일 5개 기업과", "with two South Korean firms": companies
    counted or grouped by country, not yet named."""
    m = _COUNTED.search(text)
    word = re.sub(r"의$", "", m.group(1)) if m else ""
    if word and lx.is_country_word(word):
        return lx.country_of(word)
    for m in _COUNTED_EN.finditer(text):
        if lx.is_country_word(m.group(1)):
            return lx.country_of(m.group(1))
    for m in _COUNTED_DE.finditer(text):
        return lx.country_of(m.group(1))
    return None


def cancellations(text: str, entities: list[Entity], body_start: int, budget: Budget | None = None) -> list[dict]:
    """The agreements an article reports as cancelled or withdrawn, with the companies it names.
    They are no deal of their own: a proposal on the known deal of those parties, or nothing."""
    budget = budget or Budget()
    companies = [e for e in entities if e.kind in ("company", "jv")]
    out = []
    for s in sentences_of(text):
        budget.check("cancellations")
        if s.end <= body_start or not is_cancellation_sentence(s.text[:MAX_SENTENCE_CHARS]):
            continue
        named = sorted((c for c in companies if _mentions(c, s)), key=lambda c: _first_mention(c, s))
        if not named:
            continue
        parties = [{"name": c.name, "aliases": sorted(c.aliases - {c.name}), "country": c.country} for c in named]
        if any(u["parties"] == parties for u in out):
            continue
        out.append({"stage": "cancelled", "parties": parties, "text": s.text, "start": s.start, "end": s.end})
    return out


def _prefer_event_dates(
    dates: list[FoundDate], published: dt.date | None, *, anywhere: bool = False
) -> list[FoundDate]:
    """Drop the article's own dateline when the text also dates the event itself: "NOVOSIBIRSK,
    3 June 2024 — ... last week signed" (a dateline opens the sentence), or a byline "June 13,
    2023" before a lead that says "signed on Monday" (``anywhere``: the first sentences together)."""

    def is_dateline(d: FoundDate) -> bool:
        if not (published and d.date == published and d.precision == "day"):
            return False
        return anywhere or d.start - min(x.start for x in dates) < 40 and d is dates[0]

    others = [d for d in dates if not is_dateline(d)]
    return others or dates


def _event_dates(s: Sentence, text: str, published: dt.date | None, year: int | None) -> list[FoundDate]:
    dates = resolve_dates(s.text, s.start, published, year)
    dates = [d for d in dates if published is None or d.date <= published + dt.timedelta(days=1)]
    # "…했다고 12일 밝혔다" dates the announcement, not the signing.
    dates = [d for d in dates if not _ANNOUNCED_RE.match(text[d.end : d.end + 12])] or dates[:0]
    return _prefer_event_dates(dates, published)


def _is_dateline(d: FoundDate, published: dt.date | None) -> bool:
    """The page's own date written out in full ("Nov 8, 2023"), not a date the text resolves."""
    return published is not None and d.date == published and d.precision == "day" and bool(re.search(r"\d{4}", d.text))


def _fill(f: Frame, text: str, language: str, published: dt.date | None, govs: list[Entity],
          all_sentences: list[Sentence], headline: list[Sentence], others: list[Entity],
          year: int | None = None) -> None:  # fmt: skip
    seen_values: set = set()

    def take_amounts(s: Sentence) -> None:
        names_a_party = any(_mentions(c, s) for c in f.companies) or (f.jv is not None and _mentions(f.jv, s))
        if not names_a_party and lx.NON_DEAL_AMOUNT_RE.search(s.text):
            return  # a total, forecast or market size in a sentence that names no party
        for money in find_amounts(s.text, language=language):
            before = s.text[max(0, money.start - 40) : money.start]
            after = s.text[money.end : money.end + 25]
            # "X는 총 50억엔을 투자해": the whole of one party's own commitment, not a total of many deals
            # … and "이번 투자는 … 총 2000억 원 이상이 투입되며": this deal's own total too
            own_total = (
                (names_a_party or re.match(r"\s*이번\s?(?:투자|협약|계약|사업)", s.text))
                and re.search(r"총\s?$", before)
                and re.match(r"(?:\s?이상)?(?:을|를|이|가)?\s?(?:투자|투입|출자)", after)
            )
            if (lx.NON_DEAL_AMOUNT_RE.search(before) and not own_total) or re.match(
                r"\s*(?:규모의?\s)?(?:시장|market)", after, re.I
            ):
                continue
            if money.value < _SMALLEST.get(money.currency, 10_000):
                continue  # a share price or a per-unit figure, not what a deal commits
            key = (money.currency, money.value)
            money.start += s.start
            money.end += s.start
            for alt in money.alternates:
                alt.start += s.start
                alt.end += s.start
            if key in seen_values:
                # The same sum again (a headline, then the lead): keep the mention that also gives
                # its equivalents, "3억 달러" then "3억 달러(약 3천900억원)".
                i = next(i for i, m in enumerate(f.amounts) if (m.currency, m.value) == key)
                if money.alternates and not f.amounts[i].alternates:
                    f.amounts[i] = money
                continue
            seen_values.add(key)
            f.amounts.append(money)

    dateline: FoundDate | None = None
    for s in f.sentences:
        take_amounts(s)
        for kind, rx in lx.KIND_RES.items():
            m = rx.search(s.text)
            if m and (s.concluded or kind in ("joint_venture", "investment")):
                if kind == "investment" and not (f.amounts or s.concluded):
                    continue
                hedge = lx.NEGATED_RE.search(s.text) if s.negated else None
                if hedge and hedge.start() < m.start():
                    continue  # "… could open the way to more partnerships": a hope, not this deal
                if kind == "joint_venture" and (
                    re.match(r"\S*(?:기업|법인|회사)?인\s|으로\s?(?:설립|세워)된\s", s.text[m.end() :])
                    or re.search(r"\bwith an?\s(?:\w+\s)?$", s.text[: m.start()])
                    and re.match(r"\s(?:company|firm)\b", s.text[m.end() :])
                ):
                    # "한독합작기업인 X는", "합작으로 설립된 X도", "with a Dutch joint venture company, X": who
                    # the other party is, not what the deal sets up
                    continue
                f.kinds.append((kind, s.start + m.start(), s.start + m.end()))
        if f.date is None and (s.concluded or s is f.sentences[0]):
            dates = _event_dates(s, text, published, year)
            if dates and _is_dateline(dates[0], published) and dateline is None:
                # "SEOUL, Nov 8, 2023 - X will invest … X signed on Tuesday": the page's own date
                # stands only if no later sentence of the deal dates the signing itself.
                dateline = dates[0]
            elif dates:
                f.date = dates[0]
    if not f.amounts and f.sentences:
        # "Four German firms want to invest $100m in X. The firms signed letters of intent on
        # Monday": the sum is stated once, in the sentence just before the signing, which names no
        # other company.
        i = next((k for k, x in enumerate(all_sentences) if x.start == f.sentences[0].start), 0)
        prev = all_sentences[i - 1] if i > 0 else None
        invest = lx.KIND_RES["investment"].search(prev.text) if prev else None
        if invest and not any(_mentions(c, prev) for c in others):
            take_amounts(prev)
            if f.amounts and not any(k == "investment" for k, _, _ in f.kinds):
                f.kinds.append(("investment", prev.start + invest.start(), prev.start + invest.end()))
    if f.date is None:
        # "…체결했다고 10일 공시했다. 계약은 현지시간 9일 런던에서 이뤄졌다": a sentence of the deal that
        # concludes nothing may still date it.
        found = [d for x in f.sentences if not x.concluded for d in _event_dates(x, text, published, year)
                 if d.precision == "day" and not _is_dateline(d, published)]  # fmt: skip
        f.date = found[0] if found else dateline
    if f.date is None:
        # The event's date is often given once, in the lead ("signed on Oct. 4 at the roadshow").
        found = [d for s in all_sentences[:3] for d in resolve_dates(s.text, s.start, published, year)
                 if published is None or d.date <= published]  # fmt: skip
        found = _prefer_event_dates(found, published, anywhere=True)
        if found:
            f.date = found[0]
    if f.jv and not any(k == "joint_venture" for k, _, _ in f.kinds):
        s0 = f.jv.spans[0]
        f.kinds.append(("joint_venture", s0[0], s0[1]))
    # Government bodies that sign, broker or host: named in the deal's sentences or the lead.
    # The lead is the first two sentences of prose: menu lines and share buttons above it are not.
    prose = [s for s in all_sentences if len(s.text) >= 40 and not re.match(r"!?\[[^\]]*\]\(", s.text)]
    lead = prose[:2] + [h for h in headline if re.search(lx.AGREEMENT_WORDS, h.text, re.I)]
    # ... or in any sentence that names one of the deal's companies beside a broker's word or an
    # agreement ("▲가나청-중국 X사 투자협약식": a photo caption)
    beside = [x for x in all_sentences
              if (lx.BROKER_RE.search(x.text) or re.search(lx.AGREEMENT_WORDS, x.text, re.I))
              and any(_mentions(c, x) for c in f.companies)]  # fmt: skip
    for g in govs:
        if any(_acts_in(g, s, f, text) for s in f.sentences + beside) or any(
            _acts_in(g, s, f, text) and (lx.BROKER_RE.search(s.text) or s in headline) for s in lead
        ):
            f.government.append(g)
