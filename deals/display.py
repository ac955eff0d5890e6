"""Data shown in the reader's language: a deal's generated title and amounts.

The stored title stays as the extractor or the import wrote it ("A – B: joint venture", see
``sources.extraction.deal_title``); only its kind suffix is the product's own word and is shown
translated. Amounts read as their readers write them: "KRW 50 bn" in English, "500억 원" in Korean
(units of 10⁴: 만, 억, 조). Pages put them in a ``.num`` element, which never wraps.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language, gettext_lazy

from .models import DealKindCode

_SCALES = [(Decimal(10) ** 12, "tn"), (Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m")]
_KO_UNITS = [(Decimal(10) ** 12, "조"), (Decimal(10) ** 8, "억"), (Decimal(10) ** 4, "만")]
# Currency words as Korean news writes them after a Korean number ("500억 원", "4,500만 달러").
KO_CURRENCY = {"KRW": "원", "USD": "달러", "EUR": "유로", "JPY": "엔", "CNY": "위안", "GBP": "파운드", "RUB": "루블",
               "CHF": "스위스 프랑", "HKD": "홍콩 달러", "SGD": "싱가포르 달러", "TWD": "대만 달러", "VND": "동",
               "INR": "루피", "AUD": "호주 달러", "CAD": "캐나다 달러", "SEK": "크로나"}  # fmt: skip
UNNAMED = "Unnamed parties"
_UNNAMED_LABEL = gettext_lazy("Unnamed parties")
_DEAL_LABEL = gettext_lazy("deal")
_TITLE = re.compile(r"^(?P<names>.*): (?P<kind>[a-z ]+)$", re.S)


def korean() -> bool:
    return (get_language() or "").split("-")[0] == "ko"


def _ko_number(value: Decimal) -> str:
    """50,000,000,000 → 500억; 2,460,000,000,000 → 2조 4,600억; 12,345,678 → 1,235만: the two
    largest units at most, rounded at the second (99,999,999 → 1억, not 10,000만)."""
    sign, value = ("-" if value < 0 else ""), abs(value)
    for i, (scale, unit) in enumerate(_KO_UNITS):
        lower, lower_unit = _KO_UNITS[i + 1] if i + 1 < len(_KO_UNITS) else (scale, "")
        n = int((value / lower).quantize(Decimal(1), ROUND_HALF_UP))  # in units of ``lower``
        if n * lower >= scale and (lower_unit or value >= scale):
            high, low = divmod(n, int(scale / lower))
            return sign + f"{high:,}{unit}" + (f" {low:,}{lower_unit}" if low and lower_unit else "")
    return sign + f"{value:,.0f}"


def money_text(value, currency: str = "") -> str:
    """An amount for the current language (the public pages' and the feed's one format)."""
    if value is None:
        return ""
    value = Decimal(value)
    if korean():
        word = KO_CURRENCY.get(currency, currency)
        return f"{_ko_number(value)} {word}" if word else _ko_number(value)
    for scale, word in _SCALES:
        if abs(value) >= scale:
            short = (value / scale).quantize(Decimal("0.1"))
            text = f"{short:,f}".rstrip("0").rstrip(".")
            return f"{currency} {text} {word}".strip()
    return f"{currency} {value:,.0f}".strip()


def usd_text(value) -> str:
    """The listing's USD column: "$45,000,000", or "4,500만 달러" in Korean."""
    if not value:
        return ""
    return money_text(value, "USD") if korean() else f"${Decimal(value):,.0f}"


def title_text(title: str) -> str:
    """A generated title with its kind in the reader's language; any other title as stored."""
    m = _TITLE.match(title or "")
    if not m or not korean():
        return title
    kinds = {code.replace("_", " "): label for code, label in DealKindCode.choices}
    label = _DEAL_LABEL if m["kind"] == "deal" else kinds.get(m["kind"])
    if label is None:
        return title
    names = str(_UNNAMED_LABEL) if m["names"] == UNNAMED else m["names"]
    return f"{names}: {label}"


def korean_names(*, bodies, place: str = "") -> tuple[dict[int, str], str]:
    """On a Korean page, the Hangul name of each public body known only by another script's name
    (from its accepted aliases: "Gyeonggi Province" → 경기도), and of the place of signing when it
    is such a body's name. One query; nothing on an English page. Returns ({body id: name}, place)."""
    from .models import GovernmentBodyAlias
    from .names import normalize_name, script_of

    if not korean():
        return {}, ""
    bodies = [b for b in bodies if script_of(b.name) != "Hangul"]
    wanted = normalize_name(place) if place and script_of(place) != "Hangul" else ""
    if not bodies and not wanted:
        return {}, ""
    from django.db.models import Q

    match = Q(body__in=bodies) | (Q(normalized=wanted) | Q(body__name=place) if wanted else Q(pk__in=[]))
    aliases = GovernmentBodyAlias.objects.filter(accepted=True).filter(match).order_by("id")
    rows = list(aliases.values_list("body_id", "name", "normalized", "body__name"))
    hangul: dict[int, str] = {}
    for body_id, name, _normalized, _body_name in rows:
        if script_of(name) == "Hangul":
            hangul.setdefault(body_id, name)
    place_ko = ""
    if wanted:
        for body_id, _name, normalized, body_name in rows:
            if (normalized == wanted or body_name == place) and body_id in hangul:
                place_ko = hangul[body_id]
                break
    return {b.pk: hangul[b.pk] for b in bodies if b.pk in hangul}, place_ko
