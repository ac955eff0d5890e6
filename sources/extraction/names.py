"""Name normalisation: the one place that decides when two surface forms name the same entity.

Used by the extractor (one entity per name), by alias matching when drafts are written and by the
review desk's duplicate suggestions.
Legal forms (㈜, 주식회사, Co., Ltd., ООО, 株式会社 ...) say nothing about *which* company, so
they are dropped where they open or close a name; so is a trailing Korean 사 ("company").
"""

import re
import unicodedata

LEADING_FORMS = ["주식회사", "유한회사", "株式会社", "(주)", "㈜", "(株)", "ооо", "зао", "оао", "пао", "ао", "pt"]
TRAILING_FORMS = [
    "주식회사", "유한회사", "株式会社", "有限公司", "股份有限公司", "(주)", "㈜", "(株)",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co., ltd", "co.", "co", "ltd.", "ltd", "inc.", "inc",
    "corporation", "corp.", "corp", "llc", "l.l.c.", "gmbh", "gmbh & co. kg", "kg", "ag", "se", "s.a.", "sa",
    "plc", "limited", "private limited", "(pvt) ltd", "pvt. ltd.", "pvt ltd", "pvt", "(pvt)", "company",
    "pjsc", "jsc", "ojsc", "cjsc", "ooo", "b.v.", "bv", "n.v.", "nv", "s.p.a.", "spa", "s.r.l.", "srl",
    "k.k.", "pte. ltd.", "pte ltd", "pte", "pty ltd", "pty", "sdn bhd", "bhd", "tbk", "oy", "oyj", "ab", "as", "asa",
]  # fmt: skip
_TRAILING = sorted({g for f in TRAILING_FORMS for g in (f, f.rstrip("."))}, key=len, reverse=True)
_LEAD_RE = re.compile(
    r"^(?:" + "|".join(re.escape(f) for f in sorted(LEADING_FORMS, key=len, reverse=True)) + r")(?=[\s\W]|$)"
)
_TRAIL_RE = re.compile(r"(?:^|(?<=[\s,.(]))(?:" + "|".join(re.escape(f) for f in _TRAILING) + r")$")
_SA_RE = re.compile(r"(?<=[가-힣])(?<![공회본지상])사$")


def _without_forms(name: str) -> str:
    """NFKC, casefolded, with the legal forms that open or close the name dropped."""
    s = unicodedata.normalize("NFKC", name or "").casefold().strip()
    s = s.replace("(주)", " ").replace("㈜", " ").replace("(株)", " ").strip(" ,.")
    for _ in range(3):
        t = _TRAIL_RE.sub("", _LEAD_RE.sub("", s)).strip(" ,.")
        if t == s or not t:
            break
        s = t
    return s


def name_words(name: str) -> list[str]:
    """The words of a name with its legal forms dropped, as ``normalize_name`` drops them; for matching
    that needs word boundaries (the sanctions screening indexes each distinctive word)."""
    words = [w for w in re.split(r"[\s\W_]+", _without_forms(name)) if w]
    if words and len("".join(words)) > 2:
        words[-1] = _SA_RE.sub("", words[-1])
    return [w for w in words if w]


def normalize_name(name: str) -> str:
    """A key for comparing names: NFKC, casefolded, legal forms and punctuation dropped."""
    s = re.sub(r"[\s\W_]+", "", _without_forms(name))
    if len(s) > 2:
        s = _SA_RE.sub("", s)
    return s
