"""Learned decisions: the rules propose candidates, a small model decides what each one is.

The shape rules and the language analysers find candidate names and assemble deal frames
(recall). Four logistic models, trained on annotated pages (``training.py``), then decide:
- is a candidate company a party of a deal the article reports?
- is a candidate public body one that signs, brokers or hosts it?
- which of the countries in reach is a party's?
- how likely does a frame report a concluded deal (the draft's confidence)?

Features are general only: the analyser or rule that found the name, its script and shape, how
common its words are (wordfreq's small lists), cue classes from the lexicon (legal form, title
word, particle, deal verb), distance to the deal verb, position in the page. Never the words of a
candidate: nothing here can memorise a name. The model is a JSON file of weights
(``model.json``), read without pickle and applied in pure Python.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import lexicon as lx
from .names import normalize_name

if TYPE_CHECKING:
    from .entities import Entity
    from .frames import Frame, Sentence

MODEL_PATH = Path(__file__).with_name("model.json")
KINDS = ("party", "body", "deal", "country")

_SCRIPTS = (
    ("hangul", re.compile(r"[\uac00-\ud7a3]")),
    ("kana", re.compile(r"[\u3040-\u30ff]")),
    ("han", re.compile(r"[\u4e00-\u9fff]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
)
_WORD_RE = re.compile(r"[\w&'’-]+")
_PARTICLE_AFTER = re.compile(r"(?:사|社)?(?:와|과|는|은|이|가|을|를|의|에|と|は|が|の|を|与|和|及)")
_QUOTES = "'\"“”‘’「」『』«»"
_PERSON_NEAR = re.compile(rf"(?:{lx.TITLE_WORDS})", re.I)
_LEGAL_RE = re.compile(
    rf"{lx.KO_LEGAL_PREFIX}|{lx.CJK_LEGAL}|{lx.RU_LEGAL}|"
    r"\b(?:Co|Ltd|Inc|LLC|Corp|Corporation|GmbH|AG|SE|PLC|Pvt|Pte|Pty|N\.V|B\.V|S\.A|S\.p\.A|Oy|AB|KK)\b\.?|"
    r"\b(?:Limited|Holdings?|Group|Technologies|Systems|Industries)\b|사$"
)
_PRESS_NEAR = re.compile(
    r"기자|특파원|뉴스|일보|신문|통신|\b(?:reporter|correspondent|News|Times|Post|Herald|Daily|Agency|Published|"
    r"Updated|By)\b|新聞|日報|报|记者|記者|Новости|корреспондент|Zeitung",
)


@dataclass
class Context:
    """What the features of one article read: its text, sentences and frames."""

    text: str
    language: str
    body_start: int
    sentences: list[Sentence]
    frames: list[Frame]
    # Every candidate of the article, in a frame or not: the rules' companies, the wider net's
    # (``EntityFinder.widen``), and every public body.
    companies: list[Entity] = field(default_factory=list)
    bodies: list[Entity] = field(default_factory=list)
    # Every country the text names: (ISO code, start, end).
    countries: list[tuple[str, int, int]] = field(default_factory=list)


def country_mentions(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in lx.country_regex().finditer(text):
        code = lx.country_of(m.group(0))
        if code:
            out.append((code, m.start(), m.end()))
    return out


def _distance(e: Entity, f: Frame) -> int:
    """Characters between the entity's nearest mention and the frame's nearest sentence."""
    best = 10**9
    for a, b in e.spans:
        for s in f.sentences:
            best = min(best, 0 if s.start <= a < s.end else min(abs(a - s.end), abs(s.start - b)))
    return best


def frame_candidates(ctx: Context) -> list[tuple[Frame, list[Entity], list[Entity]]]:
    """Each frame with its candidate companies and bodies: those the rules put in it, then those
    in no frame whose nearest frame it is. The same list for training and for deciding."""
    frames = ctx.frames
    homed_c: dict[int, list[Entity]] = {id(f): [] for f in frames}
    homed_b: dict[int, list[Entity]] = {id(f): [] for f in frames}
    if frames:
        in_frames = {id(c) for f in frames for c in f.companies} | {id(f.jv) for f in frames if f.jv}
        for c in ctx.companies:
            if id(c) not in in_frames and c.spans:
                homed_c[id(min(frames, key=lambda f: _distance(c, f)))].append(c)
        bodies_in = {id(g) for f in frames for g in f.government}
        for g in ctx.bodies:
            if id(g) not in bodies_in and g.spans:
                homed_b[id(min(frames, key=lambda f: _distance(g, f)))].append(g)
    return [(f, f.companies + homed_c[id(f)], f.government + homed_b[id(f)]) for f in frames]


# -- word frequency ----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _freq(language: str) -> dict[str, float]:
    """wordfreq's small list for the language (30–60k words, ~1 MB each): a run of common words
    is rarely a company. Empty when wordfreq is not installed (the feature then says 'rare')."""
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - a required dependency; the model still runs
        return {}
    lang = language if language in lx.LANGS else "en"
    try:
        return wordfreq.get_frequency_dict(lang, wordlist="small")
    except (LookupError, ValueError, OSError):
        return {}


def _zipf(word: str, language: str) -> float:
    f = _freq(language).get(word.casefold())
    if f is None and language != "en" and re.fullmatch(r"[A-Za-z][\w&'-]*", word):
        f = _freq("en").get(word.casefold())
    return math.log10(f) + 9 if f else 0.0


def _frequency_features(name: str, language: str) -> dict[str, float]:
    words = _WORD_RE.findall(name) or [name]
    zipfs = [_zipf(w, language) for w in words]
    whole = _zipf(re.sub(r"\s+", "", name), language) if language in ("ko", "ja", "zh") else _zipf(name, language)
    return {
        "zipf_max": max(zipfs) / 8,
        "zipf_min": min(zipfs) / 8,
        "zipf_whole": whole / 8,
        "common_share": sum(z >= 4.0 for z in zipfs) / len(zipfs),
        "all_common": float(all(z >= 3.5 for z in zipfs)),
    }


# -- shape -------------------------------------------------------------------------------------
def _script(name: str) -> str:
    found = [label for label, r in _SCRIPTS if r.search(name)]
    if not found:
        return "other"
    return found[0] if len(found) == 1 else "mixed"


def _shape_features(name: str, language: str) -> dict[str, float]:
    words = name.split()
    latin_words = [w for w in words if re.match(r"[A-Za-z]", w)]
    out = {
        f"script={_script(name)}": 1.0,
        "length": min(len(name), 40) / 40,
        "short": float(len(normalize_name(name)) <= 2),
        "words": min(len(words), 6) / 6,
        "legal_form": float(bool(_LEGAL_RE.search(name))),
        "digit": float(bool(re.search(r"\d", name))),
        "acronym": float(bool(re.fullmatch(r"[A-Z0-9&.-]{2,6}", name))),
        "capitalised": (sum(w[0].isupper() for w in latin_words) / len(latin_words)) if latin_words else 0.0,
        "lowercase_word": float(any(w.islower() and len(w) > 3 for w in latin_words)),
        "country_word": float(any(lx.is_country_word(w) for w in words) or lx.is_country_word(name)),
        "government_shape": float(lx.is_government_name(name)),
        "place": float(lx.is_place(name)),
        "quote_inside": float(any(q in name for q in _QUOTES)),
    }
    out.update(_frequency_features(name, language))
    out.update(_analyser_tags(name, language))
    return out


def _analyser_tags(name: str, language: str) -> dict[str, float]:
    """The language analyser's reading of the name alone (``languages/<code>.tags``), where the
    language has one: Kiwi, Sudachi, jieba. English, German and Russian rely on word frequency."""
    from . import languages

    module = languages.module_for(language)
    reader = getattr(module, "tags", None)
    if reader is None or language not in languages.CODES:
        return {}
    try:
        return reader(name)
    except ImportError:  # the analyser is not installed: the other features still stand
        return {}


# -- position and cues -------------------------------------------------------------------------
def _in(span: tuple[int, int], s: Sentence) -> bool:
    return span[0] >= s.start and span[1] <= s.end


def _context_features(e: Entity, f: Frame, ctx: Context) -> dict[str, float]:
    text = ctx.text
    n = max(len(text), 1)
    first = min(a for a, _ in e.spans)
    frame_sents = f.sentences or []
    mentioning = [s for s in frame_sents if any(_in(sp, s) for sp in e.spans)]
    verb_dist = 1.0
    for s in mentioning:
        for m in lx.CONCLUDED_RE.finditer(s.text):
            for a, b in e.spans:
                if _in((a, b), s):
                    d = abs((s.start + m.start()) - a)
                    verb_dist = min(verb_dist, math.log1p(d) / math.log1p(400))
    before = [text[max(0, a - 24) : a] for a, _ in e.spans]
    after = [text[b : b + 24] for _, b in e.spans]
    sentence_initial = any(
        s.start == a or not text[s.start : a].strip(" \"'“‘«(") for a, _ in e.spans for s in ctx.sentences
        if s.start <= a < s.end
    )  # fmt: skip
    lead = [s for s in ctx.sentences if s.start >= ctx.body_start][:2]
    return {
        "mentions": math.log1p(len(e.spans)) / math.log1p(10),
        "aliases": min(len(e.aliases), 3) / 3,
        "first_position": first / n,
        "headline": float(first < ctx.body_start),
        "lead": float(any(_in(sp, s) for sp in e.spans for s in lead)),
        "frame_share": len(mentioning) / len(frame_sents) if frame_sents else 0.0,
        "in_concluded": float(any(s.concluded for s in mentioning)),
        "verb_distance": verb_dist,
        "particle_after": float(any(_PARTICLE_AFTER.match(x) for x in after)),
        "bracket_after": float(any(re.match(r"\s?[(（]", x) for x in after)),
        "comma_after": float(any(re.match(r"\s?[,、，]", x) for x in after)),
        "and_near": float(
            any(re.search(r"\b(?:and|with|und|и)\s$", x) for x in before)
            or any(re.match(r"\s(?:and|und|и)\b", x) for x in after)
        ),  # fmt: skip
        "title_near": float(
            any(_PERSON_NEAR.search(x[-10:]) for x in before)
            or any(_PERSON_NEAR.match(x.lstrip(" )）")) for x in after)
        ),  # fmt: skip
        "press_near": float(any(_PRESS_NEAR.search(x) for x in before + after)),
        "newline_after": float(any(x.startswith("\n") or x.lstrip(" ").startswith("\n") for x in after)),
        "sentence_initial": float(sentence_initial),
        "quoted": float(any(text[a - 1 : a] in _QUOTES for a, _ in e.spans if a > 0)),
    }


def _placement(e: Entity, f: Frame, members: list[Entity]) -> dict[str, float]:
    inside = e in members
    return {
        "in_frame": float(inside),
        "frame_distance": 0.0 if inside else min(math.log1p(_distance(e, f)) / math.log1p(3000), 1.0),
    }


def party_features(e: Entity, f: Frame, ctx: Context) -> dict[str, float]:
    """What the party model reads of one candidate company in one frame."""
    out: dict[str, float] = {f"lang={ctx.language}": 1.0, f"origin={e.origin or 'other'}": 1.0}
    out.update(_placement(e, f, f.companies))
    out["by_shape"] = float(e.by_shape)
    out["has_country"] = float(e.country is not None and not e.country_guessed)
    out["country_guessed"] = float(e.country_guessed)
    out["foreign"] = float(bool(e.country) and e.country != "KR" and not e.country_guessed)
    out["representative"] = float(bool(e.representative))
    out["frame_parties"] = min(len(f.companies), 6) / 6
    out["rank"] = min(f.companies.index(e) if e in f.companies else 5, 5) / 5
    out["other_frames"] = min(sum(e in g.companies for g in ctx.frames if g is not f), 3) / 3
    out["frame_has_amount"] = float(bool(f.amounts))
    out.update(_shape_features(e.name, ctx.language))
    out.update(_context_features(e, f, ctx))
    return out


def body_features(e: Entity, f: Frame, ctx: Context) -> dict[str, float]:
    """What the body model reads of one candidate public body in one frame."""
    out: dict[str, float] = {f"lang={ctx.language}": 1.0, f"origin={e.origin or 'other'}": 1.0}
    out.update(_placement(e, f, f.government))
    out["has_country"] = float(e.country is not None)
    out["foreign"] = float(bool(e.country) and e.country != "KR")
    out["frame_bodies"] = min(len(f.government), 6) / 6
    out["frame_parties"] = min(len(f.companies), 6) / 6
    mentioning = [s for s in ctx.sentences if any(_in(sp, s) for sp in e.spans)]
    out["broker_word"] = float(any(lx.BROKER_RE.search(s.text) for s in mentioning))
    out["agreement_word"] = float(any(re.search(lx.AGREEMENT_WORDS, s.text, re.I) for s in mentioning))
    out["with_party"] = float(any(any(_in(sp, s) for c in f.companies for sp in c.spans) for s in mentioning))
    out["possessive_after"] = float(any(re.match(r"의\s|'s\s|’s\s|の", ctx.text[b : b + 3]) for _, b in e.spans))
    out.update(_shape_features(e.name, ctx.language))
    out.update(_context_features(e, f, ctx))
    return out


def deal_features(f: Frame, ctx: Context, party_probs: list[float]) -> dict[str, float]:
    """What the deal model reads of one frame, after its parties were decided."""
    out: dict[str, float] = {f"lang={ctx.language}": 1.0}
    sents = f.sentences
    n = max(len(ctx.text), 1)
    first = sents[0] if sents else None
    kinds = {k for k, _, _ in f.kinds}
    out.update({f"kind={k}": 1.0 for k in kinds})
    out["parties"] = min(len(party_probs), 6) / 6
    out["no_party"] = float(not party_probs)
    out["party_max"] = max(party_probs, default=0.0)
    out["party_mean"] = sum(party_probs) / len(party_probs) if party_probs else 0.0
    out["jv"] = float(f.jv is not None)
    out["amounts"] = min(len(f.amounts), 4) / 4
    out["date"] = float(f.date is not None)
    out["bodies"] = min(len(f.government), 4) / 4
    out["sentences"] = min(len(sents), 8) / 8
    out["concluded_share"] = sum(s.concluded for s in sents) / len(sents) if sents else 0.0
    out["negated_share"] = sum(s.negated for s in sents) / len(sents) if sents else 0.0
    out["first_position"] = first.start / n if first else 1.0
    out["in_lead"] = float(bool(first) and first in [s for s in ctx.sentences if s.start >= ctx.body_start][:3])
    out["totals_word"] = float(bool(first) and bool(lx.TOTALS_RE.search(first.text)))
    out["non_deal_amount_word"] = float(bool(first) and bool(lx.NON_DEAL_AMOUNT_RE.search(first.text)))
    out["cancel_word"] = float(any(lx.CANCEL_RE.search(s.text) for s in sents))
    out["frames"] = min(len(ctx.frames), 6) / 6
    out["frame_index"] = min(ctx.frames.index(f) if f in ctx.frames else 5, 5) / 5
    out["article_length"] = min(math.log1p(n) / math.log1p(20000), 1.0)
    return out


# A party's country from the shape of its name alone: the script only one country writes, or a
# legal form of one country's company law.
_SCRIPT_HOME = {"hangul": "KR", "kana": "JP", "cyrillic": "RU"}
_FORM_HOME = [
    (re.compile(r"㈜|\(주\)|주식회사"), "KR"), (re.compile(r"株式会社|\(株\)"), "JP"),
    (re.compile(r"有限公司|集团|股份"), "CN"), (re.compile(r"\b(?:ООО|ОАО|ЗАО|ПАО|АО)\b"), "RU"),
    (re.compile(r"\bGmbH\b|\bAG\b|\bKG\b"), "DE"), (re.compile(r"\bAB\b"), "SE"), (re.compile(r"\bOyj?\b"), "FI"),
    (re.compile(r"\bPvt\b|\bPrivate Limited\b"), "IN"), (re.compile(r"\b[BN]\.V\.?"), "NL"),
    (re.compile(r"\bS\.p\.A\.?|\bS\.r\.l\.?"), "IT"), (re.compile(r"\bPte\b"), "SG"), (re.compile(r"\bPty\b"), "AU"),
    (re.compile(r"\b(?:Inc|LLC|Corp)\b"), "US"), (re.compile(r"\b(?:PLC|plc)\b"), "GB"),
]  # fmt: skip
_LANGUAGE_HOME = {"ko": "KR", "ja": "JP", "zh": "CN", "ru": "RU", "de": "DE"}


def country_candidates(e: Entity, f: Frame, ctx: Context) -> list[tuple[str, dict[str, float]]]:
    """The countries a party might be of (the rules' own, the countries the text names, the one its
    name's script or legal form implies, the article's home), each with the features the country
    model reads. The model picks one or none."""
    counts: dict[str, int] = {}
    for code, _, _ in ctx.countries:
        counts[code] = counts.get(code, 0) + 1
    dominant = max(counts, key=lambda c: (counts[c], c)) if counts else None
    by_script = _SCRIPT_HOME.get(_script(e.name))
    by_form = next((code for rx, code in _FORM_HOME if rx.search(" ".join(e.forms()))), None)
    home = _LANGUAGE_HOME.get(ctx.language)
    bodies = {g.country for g in f.government if g.country}
    codes = set(counts) | {c for c in (e.country, by_script, by_form, home) if c}
    sentences = [s for s in ctx.sentences if any(_in(sp, s) for sp in e.spans)]
    out = []
    for code in sorted(codes):
        mentions = [(a, b) for c, a, b in ctx.countries if c == code]
        dist = min((min(abs(a - sb), abs(sa - b)) for a, b in mentions for sa, sb in e.spans), default=10**6)
        before = any(0 <= sa - b <= 40 for a, b in mentions for sa, _ in e.spans)
        features = {
            f"lang={ctx.language}": 1.0,
            "rule": float(code == e.country and not e.country_guessed),
            "rule_guessed": float(code == e.country and e.country_guessed),
            "rule_other": float(bool(e.country) and code != e.country),
            "mentions": math.log1p(counts.get(code, 0)) / math.log1p(20),
            "dominant": float(code == dominant),
            "distance": min(math.log1p(dist) / math.log1p(5000), 1.0),
            "just_before": float(before),
            "same_sentence": float(any(_in((a, b), s) for a, b in mentions for s in sentences)),
            "script": float(code == by_script),
            "script_other": float(by_script is not None and code != by_script),
            "form": float(code == by_form),
            "form_other": float(by_form is not None and code != by_form),
            "home": float(code == home),
            "home_kr": float(code == "KR"),  # the product's own country: Korean news leaves it implied
            "body_country": float(code in bodies),
            "latin_name": float(_script(e.name) == "latin"),
        }
        out.append((code, features))
    return out


# -- the model ---------------------------------------------------------------------------------
@dataclass
class Logistic:
    """One logistic model: weights by feature name, an intercept, a decision threshold, and the
    calibration map (cross-validated probability -> observed frequency) for confidences."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5
    calibration: list[tuple[float, float]] | None = None
    threshold_homed: float | None = None

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def calibrated(self, p: float) -> float:
        """The cross-validated frequency of being right at this probability (piecewise linear)."""
        points = self.calibration
        if not points:
            return p
        if p <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if p <= x1:
                return y0 + (y1 - y0) * (p - x0) / (x1 - x0) if x1 > x0 else y1
        return points[-1][1]


@dataclass
class Decider:
    """The models of one extractor version. ``Decider.keep_all()`` decides nothing (every
    candidate stays): the rules alone, which the training command reads candidates from."""

    models: dict[str, Logistic]
    version: str = ""

    @classmethod
    def keep_all(cls) -> Decider:
        return cls({})

    def probability(self, kind: str, features: dict[str, float]) -> float:
        model = self.models.get(kind)
        return 1.0 if model is None else model.probability(features)

    def keeps(self, kind: str, p: float, *, homed: bool = False) -> bool:
        """A candidate the rules did not put in the frame (``homed``) may need more to be kept."""
        model = self.models.get(kind)
        if model is None:
            return True
        return p >= (model.threshold_homed if homed and model.threshold_homed is not None else model.threshold)

    def confidence(self, p: float) -> float:
        model = self.models.get("deal")
        return p if model is None else model.calibrated(p)

    def to_json(self) -> str:
        data = {
            "version": self.version,
            "models": {
                k: {
                    "threshold": round(m.threshold, 4),
                    **({"threshold_homed": round(m.threshold_homed, 4)} if m.threshold_homed is not None else {}),
                    "intercept": round(m.intercept, 6),
                    "weights": {name: round(w, 6) for name, w in sorted(m.weights.items()) if round(w, 6) != 0},
                    "calibration": [[round(x, 4), round(y, 4)] for x, y in (m.calibration or [])],
                }
                for k, m in sorted(self.models.items())
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, raw: str) -> Decider:
        data = json.loads(raw)
        models = {}
        for k, m in data.get("models", {}).items():
            if k not in KINDS:
                raise ValueError(f"unknown model kind {k!r}")
            models[k] = Logistic(
                weights={str(n): float(w) for n, w in m["weights"].items()},
                intercept=float(m["intercept"]),
                threshold=float(m.get("threshold", 0.5)),
                threshold_homed=float(m["threshold_homed"]) if "threshold_homed" in m else None,
                calibration=[(float(x), float(y)) for x, y in m.get("calibration") or []] or None,
            )
        return cls(models, str(data.get("version", "")))


@lru_cache(maxsize=1)
def shipped() -> Decider:
    """The model shipped with this extractor version; the rules alone if the file is absent."""
    if not MODEL_PATH.exists():
        return Decider.keep_all()
    return Decider.from_json(MODEL_PATH.read_text(encoding="utf-8"))


def decide(frames: list[Frame], ctx: Context, decider: Decider) -> list[tuple[Frame, float]]:
    """The frames the deal model accepts, each a copy holding only the parties and bodies the
    other two models accept (from its own candidates and those homed on it), with its deal
    probability. The candidates are left as they were, so one reading can be decided by several
    models (cross-validation). ``frames`` must be ``ctx.frames``."""
    out = []
    for f, companies, bodies in frame_candidates(ctx):
        kept, probs = [], []
        if "party" not in decider.models:
            companies = f.companies  # the rules alone: no wider net without a model to decide on it
        if "body" not in decider.models:
            bodies = f.government
        for c in companies:
            p = decider.probability("party", party_features(c, f, ctx))
            if decider.keeps("party", p):
                kept.append(c)
                probs.append(p)
        kept_bodies = [
            g for g in bodies
            if decider.keeps("body", decider.probability("body", body_features(g, f, ctx)), homed=g not in f.government)
        ]  # fmt: skip
        p_deal = decider.probability("deal", deal_features(f, ctx, probs))
        if decider.keeps("deal", p_deal):
            kept.sort(key=lambda c: (c not in f.companies, min(a for a, _ in c.spans)))
            if "country" in decider.models:
                kept = [_with_country(c, f, ctx, decider) for c in kept]
            out.append((replace(f, companies=kept, government=kept_bodies), p_deal))
    return out


def _with_country(e: Entity, f: Frame, ctx: Context, decider: Decider) -> Entity:
    """The candidate with the country the country model prefers (or none, if it is sure of none);
    a copy, so the reading stays as the rules left it."""
    scored = [(decider.probability("country", x), code) for code, x in country_candidates(e, f, ctx)]
    p, code = max(scored, default=(0.0, None))
    country = code if code and decider.keeps("country", p) else None
    return replace(e, country=country, country_guessed=False) if country != e.country else e
