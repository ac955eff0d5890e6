"""Training and cross-validating the learned decisions (``learned.py``) on annotated pages.

A page is an article's text with its gold (the format of ``../shared/eval/GUIDELINES.md``, which
reviewed deals are also turned into). The rules read each page once (every candidate kept); each
candidate is labelled by the gold: a company is a party if one of its forms names a gold party
(the scorer's rule: equal, or one contains the other and the shorter is at least 60% of the
longer, after ``normalize_name``), a body likewise, a frame is a deal if it holds a gold party,
the gold venture or a gold amount. Candidates that match only what the gold calls optional teach
nothing and are left out.

Deterministic: pages in name order, folds by language in that order, lbfgs logistic regression,
weights rounded in the JSON. scikit-learn and numpy are imported only here, for training: the
shipped model is applied in pure Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import Reading, assemble, read_text
from .clean import looks_like_html
from .decode import decode
from .learned import (
    Context,
    Decider,
    Logistic,
    body_features,
    country_candidates,
    deal_features,
    frame_candidates,
    party_features,
)  # fmt: skip
from .names import normalize_name

FOLDS = 5
# Regularisation and thresholds, chosen by 5-fold cross-validation on the real pages (a grid of
# C in {0.5, 2} and thresholds in {0.25, 0.35, 0.45} for parties, {0.15, 0.2, 0.35} for bodies:
# docs/extraction.md). Recall first: a party is dropped only when the model is fairly sure it is
# none. The deal model never drops a frame the rules found (every threshold above 0 lost more real
# deals than it removed false ones, or changed nothing); it gives the draft's confidence. The
# country model picks a party's country among those the text names and its name implies
# (threshold from {0.2, 0.3, 0.45}).
_C = {"party": 0.5, "body": 0.5, "deal": 0.5, "country": 0.5}
THRESHOLDS = {"party": 0.35, "body": 0.15, "deal": 0.0, "country": 0.45}
# A public body the rules did not place in the frame (named elsewhere in the article) needs more.
THRESHOLDS_HOMED = {"body": 0.35}


@dataclass
class Page:
    """An annotated article: its text and its gold."""

    name: str
    language: str
    text: str
    gold: dict[str, Any]
    html: bool = False
    reading: Reading | None = field(default=None, repr=False)
    error: str | None = None
    # How much the page teaches: pages the rules were written from show the rules at their best,
    # which is not how they meet new pages, so they may count for less (``--fitted``).
    weight: float = 1.0

    def read(self) -> Reading | None:
        if self.reading is None and self.error is None:
            try:
                self.reading = read_text(self.text, html=self.html)
            except Exception as exc:  # noqa: BLE001 - an unreadable page is reported, not fatal
                self.error = str(exc)
        return self.reading


def load_pages(gold_dir: Path, texts_dir: Path | None = None) -> list[Page]:
    """Pages whose text and gold are both present: ``NAME.gold.json`` in ``gold_dir`` with
    ``NAME.txt`` or ``NAME.html`` in ``texts_dir`` (default: the gold's own folder)."""
    texts_dir = texts_dir or gold_dir
    pages = []
    for gold_path in sorted(gold_dir.glob("*.gold.json")):
        name = gold_path.name[: -len(".gold.json")]
        for suffix in (".txt", ".html"):
            path = texts_dir / f"{name}{suffix}"
            if path.exists():
                text, _ = decode(path.read_bytes(), None)
                gold = json.loads(gold_path.read_text(encoding="utf-8"))
                language = gold.get("language") or name.split("-")[0]
                pages.append(Page(name, language, text, gold, html=looks_like_html(text)))
                break
    return pages


# -- labels ------------------------------------------------------------------------------------
def _same(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 2 and short in long_ and len(short) >= 0.6 * len(long_)


def _matches(forms: Iterable[str], names: list[str]) -> bool:
    keys = [normalize_name(f) for f in forms]
    return any(_same(k, n) for k in keys for n in names)


def _amount(value: Any, currency: Any) -> tuple[str, Decimal] | None:
    try:
        v = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return (str(currency or "").upper(), v) if v > 0 else None


@dataclass
class Gold:
    """The names and sums a page's gold states, normalised for matching."""

    parties: list[str]
    bodies: list[str]
    ventures: list[str]
    amounts: list[tuple[str, Decimal]]
    optional: list[str]
    has_deal: bool

    @classmethod
    def of(cls, gold: dict[str, Any]) -> Gold:
        deals = gold.get("deals") or []
        opt = gold.get("optional") or {}
        return cls(
            parties=[normalize_name(n) for d in deals for p in d.get("parties", []) for n in p.get("names", [])],
            bodies=[normalize_name(n) for d in deals for g in d.get("government", []) for n in g.get("names", [])],
            ventures=[
                normalize_name(n) for d in deals if d.get("joint_venture") for n in d["joint_venture"].get("names", [])
            ],  # fmt: skip
            amounts=[
                a
                for d in deals
                for grp in d.get("amounts", [])
                for x in grp
                if (a := _amount(x.get("value"), x.get("currency")))
            ],  # fmt: skip
            optional=[normalize_name(n) for n in opt.get("names", [])],
            has_deal=bool(deals),
        )


def _label(forms: Iterable[str], positives: list[str], gold: Gold) -> int | None:
    forms = list(forms)
    if _matches(forms, positives):
        return 1
    if _matches(forms, gold.optional):
        return None
    return 0


def _frame_label(f, gold: Gold) -> int | None:
    if not gold.has_deal:
        return 0
    if any(_matches(c.forms(), gold.parties) for c in f.companies):
        return 1
    if f.jv is not None and _matches(f.jv.forms(), gold.ventures + gold.parties):
        return 1
    for m in f.amounts:
        for alt in [m, *m.alternates]:
            if any(c == alt.currency and abs(v - alt.value) <= Decimal("0.02") * max(v, alt.value)
                   for c, v in gold.amounts):  # fmt: skip
                return 1
    if any(_matches(c.forms(), gold.optional) for c in f.companies):
        return None
    return 0


# -- rows --------------------------------------------------------------------------------------
@dataclass
class Rows:
    """Feature rows of one kind: features, labels, and the page each row came from."""

    x: list[dict[str, float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    page: list[int] = field(default_factory=list)
    page_weight: list[float] = field(default_factory=list)

    def add(self, features: dict[str, float], label: int | None, page: int, weight: float = 1.0) -> None:
        if label is not None:
            self.x.append(features)
            self.y.append(label)
            self.page.append(page)
            self.page_weight.append(weight)


def _gold_countries(gold: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [([normalize_name(n) for n in p.get("names", [])], p["country"].upper())
            for d in gold.get("deals") or [] for p in d.get("parties", []) if p.get("country")]  # fmt: skip


def _country_rows(pages: list[Page]) -> Rows:
    """(party, country) pairs for every candidate that names a gold party whose country is known."""
    rows = Rows()
    for i, page in enumerate(pages):
        reading = page.read()
        if reading is None:
            continue
        known = _gold_countries(page.gold)
        ctx = reading.context
        for f, companies, _ in frame_candidates(ctx):
            for c in companies:
                country = next((code for names, code in known if _matches(c.forms(), names)), None)
                if country is None:
                    continue
                for code, x in country_candidates(c, f, ctx):
                    rows.add(x, int(code == country), i, page.weight)
    return rows


def _candidate_rows(pages: list[Page]) -> tuple[Rows, Rows]:
    parties, bodies = Rows(), Rows()
    for i, page in enumerate(pages):
        reading = page.read()
        if reading is None:
            continue
        gold = Gold.of(page.gold)
        ctx = reading.context
        for f, companies, candidates in frame_candidates(ctx):
            for c in companies:
                parties.add(party_features(c, f, ctx), _label(c.forms(), gold.parties, gold), i, page.weight)
            for g in candidates:
                bodies.add(body_features(g, f, ctx), _label(g.forms(), gold.bodies, gold), i, page.weight)
    return parties, bodies


def _deal_rows(pages: list[Page], party_probability: Callable[[int, dict[str, float]], float],
               party_threshold: float) -> Rows:  # fmt: skip
    deals = Rows()
    for i, page in enumerate(pages):
        reading = page.read()
        if reading is None:
            continue
        gold = Gold.of(page.gold)
        ctx: Context = reading.context
        for f, companies, _ in frame_candidates(ctx):
            probs = [p for c in companies if (p := party_probability(i, party_features(c, f, ctx))) >= party_threshold]
            deals.add(deal_features(f, ctx, probs), _frame_label(f, gold), i, page.weight)
    return deals


# -- fitting -----------------------------------------------------------------------------------
def _weights(rows: Rows) -> list[float]:
    """Each page's rows share one unit of weight, and the two classes weigh alike."""
    per_page: dict[int, int] = {}
    for p in rows.page:
        per_page[p] = per_page.get(p, 0) + 1
    w = [pw / per_page[p] for p, pw in zip(rows.page, rows.page_weight, strict=True)]
    pos = sum(wi for wi, y in zip(w, rows.y, strict=True) if y) or 1.0
    neg = sum(wi for wi, y in zip(w, rows.y, strict=True) if not y) or 1.0
    return [wi * (len(w) / (2 * (pos if y else neg))) for wi, y in zip(w, rows.y, strict=True)]


def _fit(rows: Rows, c: float) -> Logistic | None:
    if len(set(rows.y)) < 2:
        return None
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(sparse=False, sort=True)
    x = vec.fit_transform(rows.x)
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    model.fit(x, rows.y, sample_weight=_weights(rows))
    weights = {name: float(w) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)}
    return Logistic(weights=weights, intercept=float(model.intercept_[0]))


def _out_of_fold(rows: Rows, c: float, folds: int = 3) -> list[float]:
    """Each row's probability from a model that did not see its page."""
    pages = sorted(set(rows.page))
    fold_of = {p: k % folds for k, p in enumerate(pages)}
    probs = [0.5] * len(rows.y)
    for k in range(folds):
        train = Rows()
        for x, y, p, pw in zip(rows.x, rows.y, rows.page, rows.page_weight, strict=True):
            if fold_of[p] != k:
                train.add(x, y, p, pw)
        model = _fit(train, c)
        for j, p in enumerate(rows.page):
            if fold_of[p] == k:
                probs[j] = model.probability(rows.x[j]) if model else 0.5
    return probs


def _calibration(probs: list[float], labels: list[int]) -> list[tuple[float, float]]:
    """Isotonic map from a probability to the observed share of real deals (out-of-fold)."""
    if len(set(labels)) < 2:
        return []
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(probs, labels)
    return [(float(x), float(y)) for x, y in zip(iso.X_thresholds_, iso.y_thresholds_, strict=True)]


def train(pages: list[Page], *, version: str = "") -> Decider:
    """The four models trained on every page given."""
    parties, bodies = _candidate_rows(pages)
    models: dict[str, Logistic] = {}
    party = _fit(parties, _C["party"])
    if party is not None:
        party.threshold = THRESHOLDS["party"]
        models["party"] = party
    body = _fit(bodies, _C["body"])
    if body is not None:
        body.threshold = THRESHOLDS["body"]
        body.threshold_homed = THRESHOLDS_HOMED["body"]
        models["body"] = body
    # The deal model reads the party model's decisions; on its own training pages those would be
    # too sure of themselves, so it learns from out-of-fold party probabilities.
    oof_party: dict[tuple[int, str], float] = {}
    if party is not None:
        oof = _out_of_fold(parties, _C["party"])
        for x, p, prob in zip(parties.x, parties.page, oof, strict=True):
            oof_party[(p, json.dumps(x, sort_keys=True))] = prob
    threshold = party.threshold if party else 0.0

    def party_probability(page: int, x: dict[str, float]) -> float:
        key = (page, json.dumps(x, sort_keys=True))
        if key in oof_party:
            return oof_party[key]
        return party.probability(x) if party else 1.0

    country = _fit(_country_rows(pages), _C["country"])
    if country is not None:
        country.threshold = THRESHOLDS["country"]
        models["country"] = country
    deals = _deal_rows(pages, party_probability, threshold)
    deal = _fit(deals, _C["deal"])
    if deal is not None:
        oof = _out_of_fold(deals, _C["deal"])
        deal.threshold = THRESHOLDS["deal"]
        deal.calibration = _calibration(oof, deals.y)
        models["deal"] = deal
    return Decider(models, version)


def folds_of(pages: list[Page], k: int = FOLDS) -> list[int]:
    """Fold of each page: by language, in name order, so every fold holds each language's share."""
    fold = [0] * len(pages)
    by_language: dict[str, list[int]] = {}
    for i, p in enumerate(pages):
        by_language.setdefault(p.language, []).append(i)
    offset = 0
    for lang in sorted(by_language):
        for j, i in enumerate(sorted(by_language[lang], key=lambda i: pages[i].name)):
            fold[i] = (j + offset) % k
        offset += len(by_language[lang])
    return fold


def cross_validate(pages: list[Page], *, k: int = FOLDS, extra: list[Page] | None = None,
                   version: str = "") -> list[dict[str, Any]]:  # fmt: skip
    """Each page's extraction by a model trained on the other folds (plus ``extra`` pages, which are
    never scored): the predictions, in the extraction command's JSON Lines format."""
    extra = extra or []
    fold = folds_of(pages, k)
    out: list[dict[str, Any] | None] = [None] * len(pages)
    for f in range(k):
        train_pages = [p for p, g in zip(pages, fold, strict=True) if g != f] + extra
        decider = train(train_pages, version=version)
        for i, (page, g) in enumerate(zip(pages, fold, strict=True)):
            if g != f:
                continue
            out[i] = predict(page, decider)
    return [o for o in out if o is not None]


def predict(page: Page, decider: Decider) -> dict[str, Any]:
    reading = page.read()
    if reading is None:
        return {"file": f"{page.name}.txt", "error": page.error}
    result = assemble(reading, decider)
    return result.to_dict(file=f"{page.name}.txt")


def reliability(predictions: list[dict[str, Any]], pages: list[Page], bins: int = 5) -> list[dict[str, Any]]:
    """For the docs: drafts by confidence band, and the share of them that are real deals."""
    golds = {p.name: Gold.of(p.gold) for p in pages}
    readings = {p.name: p for p in pages}
    table = [{"low": b / bins, "high": (b + 1) / bins, "drafts": 0, "right": 0} for b in range(bins)]
    for pred in predictions:
        name = re.sub(r"\.(txt|html)$", "", pred.get("file", ""))
        gold = golds.get(name)
        if gold is None or name not in readings:
            continue
        for d in pred.get("deals", []):
            band = table[min(int(d["confidence"] * bins), bins - 1)]
            band["drafts"] += 1
            right = gold.has_deal and (
                any(_matches([p["name"], *p.get("aliases", [])], gold.parties) for p in d["parties"])
                or any(_amount(a["value"], a["currency"]) in gold.amounts for a in d["amounts"])
                or (d.get("joint_venture") and _matches([d["joint_venture"]["name"]], gold.ventures + gold.parties))
            )
            band["right"] += bool(right)
    return table
