"""Deal extraction: one article's bytes in, draft deals with evidence out.

Pure Python: no Django models, no database. The ``extract`` command, the Celery task and the
benchmark all call :func:`extract`. Results carry ``VERSION`` so drafts can be re-extracted when
the rules change.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import lexicon as lx
from .budget import Budget
from .clean import clean_html, clean_text, language_of, looks_like_html
from .dates import find_dateline
from .decode import decode
from .entities import EntityFinder
from .errors import ExtractionError
from .frames import MAX_DEAL_SENTENCES, MAX_SENTENCE_CHARS, Frame, build_frames, cancellations, deal_spans, sentences_of
from .learned import Context, Decider, country_mentions, decide, shipped
from .rates import to_usd
from .stakes import find_stakes

VERSION = "2026.12.07.48"
MAX_INPUT_BYTES = 5 * 1024 * 1024
# The cleaned text read for deals. The longest of the 64 real pages is ~2,000 bytes and a long
# feature runs to ~30,000 characters: 60,000 keeps every real article whole and bounds the cost.
MAX_TEXT_CHARS = 60_000
TIME_BUDGET_SECONDS = 20.0

__all__ = [
    "VERSION", "Budget", "ExtractionError", "ExtractionResult", "Reading", "assemble", "deal_title", "extract",
    "extract_text", "read_text",
]  # fmt: skip


@dataclass
class ExtractionResult:
    """Everything read from one article, ready for JSON or for ``deals.services.draft_upsert``."""

    text: str
    title: str
    language: str
    encoding: str
    published: dt.date | None
    deals: list[dict[str, Any]] = field(default_factory=list)
    version: str = VERSION
    # Ends of agreements (cancelled, withdrawn): for known deals only, never drafts of their own.
    updates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, *, file: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if file is not None:
            out["file"] = file
        out.update(
            language=self.language,
            title=self.title,
            published=self.published.isoformat() if self.published else None,
            extractor_version=self.version,
            deals=self.deals,
            updates=self.updates,
        )
        return out


def extract(raw: bytes, *, content_type: str | None = None, max_bytes: int = MAX_INPUT_BYTES,
            budget_seconds: float = TIME_BUDGET_SECONDS, budget: Budget | None = None) -> ExtractionResult:  # fmt: skip
    """Decode, clean and extract one article. Raises ExtractionError for unusable input, and for
    input that would take longer than the budget ("too slow: stopped in <stage> ...")."""
    budget = budget or Budget(budget_seconds)
    if len(raw) > max_bytes:
        raise ExtractionError(f"input too large: {len(raw):,} bytes (limit {max_bytes:,})")
    text, encoding = decode(raw, content_type)
    return extract_text(text, encoding=encoding, html=looks_like_html(text), budget=budget)


def extract_text(text: str, *, encoding: str = "utf-8", html: bool = False,
                 budget_seconds: float = TIME_BUDGET_SECONDS, budget: Budget | None = None,
                 decider: Decider | None = None) -> ExtractionResult:  # fmt: skip
    """Extract from decoded text; ``decider`` defaults to the shipped model (``learned.py``)."""
    budget = budget or Budget(budget_seconds)
    reading = read_text(text, html=html, budget=budget)
    return assemble(reading, shipped() if decider is None else decider, encoding=encoding, budget=budget)


@dataclass
class Reading:
    """An article read by the rules: its text, the candidate frames, before any learned decision.
    The training command reads candidates from here; ``assemble`` turns it into deals."""

    title: str
    body: str
    language: str
    published: dt.date | None
    body_start: int
    entities: list
    frames: list[Frame]
    context: Context


def read_text(text: str, *, html: bool = False, budget: Budget | None = None) -> Reading:
    budget = budget or Budget(TIME_BUDGET_SECONDS)
    text = text.replace("\x00", "")
    cleaned = clean_html(text) if html else clean_text(text)
    body = cleaned.text
    if not body.strip():
        raise ExtractionError("no article text found on the page")
    if len(body) > MAX_TEXT_CHARS:
        # A news article is a few thousand characters and reports its deal in the lead; anything
        # this long is a page dump, and reading all of it would only cost time (FIELD-NOTES).
        cut = body.rfind("\n", 0, MAX_TEXT_CHARS)
        body = body[: cut if cut > MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS]
    budget.check("language and dates")
    language = language_of(body)
    body_start = len(cleaned.header) + 2 if cleaned.header else 0
    published = find_dateline(cleaned.header, body[body_start:]) or _dateline_above(text[: MAX_TEXT_CHARS * 2], body)
    budget.check("names")
    finder = EntityFinder(body, language, budget=budget)
    spans = deal_spans(body, budget)
    entities = finder.find(spans)
    budget.check("deal frames")
    frames = build_frames(body, entities, language, published, body_start, budget=budget)
    sentences = sentences_of(body)
    wide: list = []
    if frames:
        budget.check("more candidates")
        rest = [(s.start, min(s.end, s.start + MAX_SENTENCE_CHARS)) for s in sentences
                if not any(a <= s.start < b for a, b in spans)][:MAX_DEAL_SENTENCES]  # fmt: skip
        wide = finder.widen(rest)
    companies = [e for e in entities if e.kind == "company"] + wide
    bodies = [e for e in entities if e.kind == "government"]
    context = Context(body, language, body_start, sentences, frames, companies, bodies, country_mentions(body))
    return Reading(cleaned.title, body, language, published, body_start, entities, frames, context)


def assemble(reading: Reading, decider: Decider, *, encoding: str = "utf-8",
             budget: Budget | None = None) -> ExtractionResult:  # fmt: skip
    """The learned decisions on a reading's candidates, and the deals that remain."""
    budget = budget or Budget(TIME_BUDGET_SECONDS)
    body, published, language = reading.body, reading.published, reading.language
    decided = decide(reading.frames, reading.context, decider)
    deals = []
    for f, p in decided:
        budget.check("deal frames")
        deals.append(_deal_dict(f, body, published, language, decider, p))
    # Recall first: a concluded agreement with a named party or an amount is a draft, even with fields
    # missing (listed in "missing" for the reviewer). Public bodies alone with no sum are no deal.
    deals = [d for d in deals if d["parties"] or d["joint_venture"] or d["amounts"]]
    updates = cancellations(body, reading.entities, reading.body_start, budget=budget)
    return ExtractionResult(body, reading.title, language, encoding, published, deals, updates=updates)


def _dateline_above(page: str, body: str) -> dt.date | None:
    """The page's date when it sits above the headline, in the chrome the cleaner dropped
    ("22.05.2023" over the title, "입력 2020.12.03 06:00 | 수정 ..." under a ticker line)."""
    first_line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    cut = page.find(first_line) if first_line else -1
    if cut <= 0:
        return None
    return find_dateline(page[max(0, cut - 1500) : cut], "")


def _ev(field_name: str, text: str, start: int, end: int) -> dict[str, Any]:
    return {"field": field_name, "start": start, "end": end, "text": text[start:end]}


def _num(d: Decimal | None) -> str | None:
    return None if d is None else f"{d.normalize():f}"


def _deal_dict(f: Frame, text: str, published: dt.date | None, language: str, decider: Decider,
               p_deal: float) -> dict[str, Any]:  # fmt: skip
    evidence: list[dict[str, Any]] = []
    parties = []
    for c in f.companies:
        parties.append(
            {
                "name": c.name,
                "aliases": sorted(c.aliases - {c.name}),
                "country": c.country,
                "role": "partner",
                "representative": c.representative,
            }  # fmt: skip
        )
        evidence.append(_ev("parties", text, *c.spans[0]))
    _assign_roles(parties, f, text)
    for stake in find_stakes(text, _with_next(f, text), [c.spans for c in f.companies]):
        parties[stake.party]["stake"] = _num(stake.percent)
        evidence.append(_ev("parties", text, stake.start, stake.end))
    destination = _destination(f)
    jv = None
    if f.jv:
        jv_country = destination
        jv = {"name": f.jv.name, "aliases": sorted(f.jv.aliases - {f.jv.name}), "country": jv_country,
              "location": f.jv.location}  # fmt: skip
        evidence.append(_ev("joint_venture", text, *f.jv.spans[0]))
    rate_day = f.date.date if f.date else published
    amounts = []
    for group_id, money in enumerate(f.amounts):
        for m in [money, *money.alternates]:
            usd, rate, note = to_usd(m.value, m.currency, rate_day)
            amounts.append(
                {
                    "value": _num(m.value),
                    "currency": m.currency,
                    "usd": _num(usd),
                    "group": group_id,
                    "estimated": m.estimated,
                    "text": m.text,
                    "rate": _num(rate.usd_per_unit) if rate else None,
                    "rate_date": rate.date.isoformat() if rate else None,
                    "rate_source": rate.source if rate else None,
                    "note": note or None,
                }  # fmt: skip
            )
        evidence.append(
            _ev("amounts", text, money.start, (money.alternates[-1].end + 1) if money.alternates else money.end)
        )
    kinds = []
    for kind, s, e in f.kinds:
        if kind not in kinds:
            kinds.append(kind)
            evidence.append(_ev("kinds", text, s, e))
    if f.date:
        evidence.append(_ev("date", text, f.date.start, f.date.end))
    government = []
    for g in f.government:
        government.append({"name": g.name, "aliases": sorted(g.aliases - {g.name}), "country": g.country})
        evidence.append(_ev("government", text, *g.spans[0]))
    missing = [name for name, value in (("parties", parties), ("amounts", amounts), ("date", f.date),
                                        ("government", government)) if not value]  # fmt: skip
    if "deal" in decider.models:
        # The deal model's probability, mapped onto how often drafts at that probability were right
        # in cross-validation (docs/extraction.md, reliability table).
        confidence = decider.confidence(p_deal)
    else:
        confidence = 0.35 + 0.15 * bool(parties) + 0.15 * bool(amounts) + 0.1 * bool(f.date)
        confidence += 0.1 * bool(government) + 0.1 * bool(any(s.concluded for s in f.sentences))
        confidence -= 0.05 * sum(not c.by_shape for c in f.companies) + 0.1 * max(0, len(parties) - 3)
        confidence -= 0.03 * sum(not p["country"] for p in parties)
    if not parties:
        # A deal with no named party is worth reviewing but never looks finished.
        confidence = min(confidence, 0.5)
    confidence = max(confidence, 0.05)
    title = _title(parties, jv, kinds)
    return {
        "title": title,
        "kinds": kinds,
        "parties": parties,
        "joint_venture": jv,
        "amounts": amounts,
        "date": f.date.iso() if f.date else None,
        "date_precision": f.date.precision if f.date else "unknown",
        "place": _place(f, text),
        "destination_country": destination,
        "sectors": _sectors(" ".join(s.text for s in f.sentences)),
        "government": government,
        "evidence": sorted(evidence, key=lambda e: e["start"]),
        "confidence": round(min(confidence, 0.95), 2),
        "missing": missing,
        "stage": _stage(f),
    }


def _stage(f: Frame) -> str | None:
    """The stage the article reports the agreement at, from its words: a final or binding
    contract is signed (after an MOU: the same deal's next stage), a closed acquisition complete,
    an MOU an MOU. None where the words say nothing more than the kinds do."""
    told = " ".join(s.text for s in f.sentences if s.concluded) or " ".join(s.text for s in f.sentences)
    if lx.COMPLETED_RE.search(told):
        return "completed"
    if lx.FINAL_RE.search(told):
        return "agreement_signed"
    if any(k == "mou" for k, _, _ in f.kinds):
        return "mou_signed"
    return None


def _assign_roles(parties: list[dict[str, Any]], f: Frame, text: str) -> None:
    if len(parties) == 1:
        parties[0]["role"] = "investor" if f.amounts else "partner"
        return
    if f.jv:
        for p in parties:
            p["role"] = "jv_parent"
        return
    foreign = [p for p in parties if p["country"] and p["country"] != "KR"]
    if f.amounts and len(foreign) == 1:
        for p in parties:
            p["role"] = "investor" if p is foreign[0] else "investee"


def _with_next(f: Frame, text: str) -> list[tuple[int, int]]:
    """The frame's sentences and the one after each: the split of a joint venture's shares often
    follows the sentence that reports it ("…설립한다. 지분은 51%와 49%다")."""
    spans = [(s.start, s.end) for s in f.sentences]
    following = []
    for _, end in spans:
        start = end + len(text[end : end + 300]) - len(text[end : end + 300].lstrip())
        rest = text[start : start + 300]
        cut = re.search(r"[.!?。！？](?:\s|$)|\n", rest)
        following.append((start, start + (cut.end() if cut else len(rest))))
    return sorted(set(spans + following))


def _destination(f: Frame) -> str | None:
    countries = [g.country for g in f.government if g.country]
    if countries:
        return countries[0]
    if f.jv and f.jv.location:
        return lx.city_country(f.jv.location)
    return None


def _place(f: Frame, text: str) -> str | None:
    for s in f.sentences:
        # A word start, so "28일 모스크바 ...에서" gives the place, not "일 모스크바 ...".
        m = re.search(r"(?<![\d가-힣A-Za-z])([가-힣A-Za-z]+(?:\s[가-힣A-Za-z]+){0,4})에서\s", s.text)
        if m and s.concluded:
            return m.group(1)
        m = re.search(r"\b(?:in|at) ((?:[A-Z][\w-]+\s?){1,3})(?=[,.]|\s(?:on|hosted|with))", s.text)
        if m and s.concluded:
            return m.group(1).strip()
    return None


_SECTORS = {
    "semiconductors": r"반도체|semiconductor|chip|半導体|半导体|Halbleiter|полупроводник",
    "batteries": r"이차전지|배터리|battery|batteries|cathode|anode|양극재|음극재|電池|电池|Batterie|аккумулятор",
    "advanced materials": r"소재|materials|素材|材料|Werkstoff|материал",
    "biotech and pharma": r"바이오|제약|의약|pharma|biotech|biologic|医薬|医药|Pharma|фарм",
    "automotive": r"자동차|automotive|auto parts|vehicle|自動車|汽车|Automobil|автомоб",
    "robotics": r"로봇|robot|ロボット|机器人|Roboter|робот",
    "ICT and software": r"소프트웨어|software|AI\b|인공지능|data center|데이터센터|ソフトウェア|软件|Software",
    "chemicals": r"화학|chemical|化学|Chemie|химич",
    "energy": r"에너지|수소|hydrogen|energy|solar|エネルギー|能源|Energie|энерг",
    "displays and optics": r"디스플레이|display|optic|光学|Display|оптик",
}


def _sectors(text: str) -> list[str]:
    return [name for name, rx in _SECTORS.items() if re.search(rx, text, re.I)]


def _title(parties: list[dict[str, Any]], jv: dict[str, Any] | None, kinds: list[str]) -> str:
    return deal_title([p["name"] for p in parties], jv["name"] if jv else None, kinds)


def deal_title(party_names: list[str], jv_name: str | None, kinds: list[str]) -> str:
    """A deal's title from its parties and kinds: one definition for drafts and reviewed deals."""
    names = " – ".join(party_names[:3]) or jv_name or "Unnamed parties"
    kind = kinds[0].replace("_", " ") if kinds else "deal"
    return f"{names}: {kind}"[:300]
