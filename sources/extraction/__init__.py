"""Deal extraction: one article's bytes in, draft deals with evidence out.

Pure Python: no Django models, no database. The ``extract`` command, the Celery task and the
benchmark all call :func:`extract`. Results carry ``VERSION`` so drafts can be re-extracted when
the rules change.
"""

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import lexicon as lx
from .clean import clean_html, clean_text, language_of, looks_like_html
from .dates import find_dateline
from .decode import decode
from .entities import EntityFinder
from .errors import ExtractionError
from .frames import Frame, build_frames, cancellations, deal_spans
from .rates import to_usd
from .stakes import find_stakes

VERSION = "2026.12.07.46"
MAX_INPUT_BYTES = 5 * 1024 * 1024
# The cleaned text read for deals. The longest of the 64 real pages is ~2,000 bytes and a long
# feature runs to ~30,000 characters: 60,000 keeps every real article whole and bounds the cost.
MAX_TEXT_CHARS = 60_000
TIME_BUDGET_SECONDS = 20.0

__all__ = ["VERSION", "ExtractionError", "ExtractionResult", "deal_title", "extract", "extract_text"]


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


def extract(raw: bytes, *, content_type: str | None = None, max_bytes: int = MAX_INPUT_BYTES) -> ExtractionResult:
    """Decode, clean and extract one article. Raises ExtractionError for unusable input."""
    if len(raw) > max_bytes:
        raise ExtractionError(f"input too large: {len(raw):,} bytes (limit {max_bytes:,})")
    text, encoding = decode(raw, content_type)
    return extract_text(text, encoding=encoding, html=looks_like_html(text))


def extract_text(text: str, *, encoding: str = "utf-8", html: bool = False,
                 budget_seconds: float = TIME_BUDGET_SECONDS) -> ExtractionResult:  # fmt: skip
    deadline = time.monotonic() + budget_seconds
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
    _check(deadline, "language and dates", budget_seconds)
    language = language_of(body)
    body_start = len(cleaned.header) + 2 if cleaned.header else 0
    published = find_dateline(cleaned.header, body[body_start:]) or _dateline_above(text[: MAX_TEXT_CHARS * 2], body)
    _check(deadline, "names", budget_seconds)
    entities = EntityFinder(body, language).find(deal_spans(body))
    _check(deadline, "deal frames", budget_seconds)
    frames = build_frames(body, entities, language, published, body_start)
    deals = [_deal_dict(f, body, published, language) for f in frames]
    # Recall first: a concluded agreement with a named party or an amount is a draft, even with fields
    # missing (listed in "missing" for the reviewer). Public bodies alone with no sum are no deal.
    deals = [d for d in deals if d["parties"] or d["joint_venture"] or d["amounts"]]
    updates = cancellations(body, entities, body_start)
    return ExtractionResult(body, cleaned.title, language, encoding, published, deals, updates=updates)


def _check(deadline: float, stage: str, budget: float) -> None:
    if time.monotonic() > deadline:
        raise ExtractionError(f"too slow: stopped before {stage} (budget {budget:.0f} s)")


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


def _deal_dict(f: Frame, text: str, published: dt.date | None, language: str) -> dict[str, Any]:
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
    confidence = 0.35 + 0.15 * bool(parties) + 0.15 * bool(amounts) + 0.1 * bool(f.date) + 0.1 * bool(government)
    confidence += 0.1 * bool(any(s.concluded for s in f.sentences))
    # Names only an analyser saw, many parties at once, or parties with no country are where the
    # real articles go wrong (docs/extraction.md, reliability table).
    confidence -= 0.05 * sum(not c.by_shape for c in f.companies)
    confidence -= 0.1 * max(0, len(parties) - 3)
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
    }


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
