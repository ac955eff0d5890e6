"""Money in prose, in every written form we meet: 300만불, 1조2천억원, 2천900만 달러, $1.2bn, €50m,
USD 3.5 million, 150 million yuan, 1,2 млрд рублей, 50 Mio. Euro, 2900万ドル, 1.5亿元.

Values are exact Decimals in the currency's unit. A sum followed by the same sum in another
currency in brackets ("500만불(한화 약 60억원)", "80 million yuan ($11m)") is one group.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_NUM = r"\d+(?:[.,]\d+)*"
_CJK_UNIT = "조억만천백십万萬億亿兆千百"
_NUMEXPR = rf"(?:(?:{_NUM}\s?[{_CJK_UNIT}]+\s?)+(?:{_NUM}(?![\d.,]))?|{_NUM})"
_SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "millions": 10**6, "mn": 10**6, "mln": 10**6, "m": 10**6,
    "billion": 10**9, "billions": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
    "crore": 10**7, "crores": 10**7, "lakh": 10**5, "lakhs": 10**5,
    "тыс": 10**3, "млн": 10**6, "млрд": 10**9, "трлн": 10**12,
    "tsd": 10**3, "mio": 10**6, "mrd": 10**9, "million_de": 10**6, "millionen": 10**6, "milliarde": 10**9,
    "milliarden": 10**9,
}  # fmt: skip
_SCALE_RE = (
    r"(?:thousand|millions?|mn|mln|m(?![a-zA-Z])|billions?|bn|b(?![a-zA-Z])|trillion|tn|k(?![a-zA-Z])|[Cc]rores?|[Ll]akhs?|"
    r"тыс\.?|млн\.?|млрд\.?|трлн\.?|миллион\w*|миллиард\w*|триллион\w*|Tsd\.?|Mio\.?|Mrd\.?|Millionen|Million|"
    r"Milliarden|Milliarde)"
)
# Currency words after the number, longest first.
_SUFFIX_CURRENCIES = [
    ("미국 달러", "USD"), ("미 달러", "USD"), ("US달러", "USD"), ("달러", "USD"), ("불", "USD"), ("弗", "USD"),
    ("원", "KRW"), ("위안", "CNY"), ("엔", "JPY"), ("유로", "EUR"), ("루블", "RUB"), ("파운드", "GBP"),
    ("루피", "INR"), ("元人民币", "CNY"), ("美元", "USD"), ("米ドル", "USD"), ("ドル", "USD"), ("人民币", "CNY"), ("元", "CNY"),
    ("欧元", "EUR"), ("ユーロ", "EUR"), ("日元", "JPY"), ("円", "JPY"), ("韩元", "KRW"), ("ウォン", "KRW"),
    ("US dollars", "USD"), ("dollars", "USD"), ("dollar", "USD"), ("euros", "EUR"), ("euro", "EUR"),
    ("yuan", "CNY"), ("renminbi", "CNY"), ("won", "KRW"), ("yen", "JPY"), ("rupees", "INR"), ("roubles", "RUB"),
    ("rubles", "RUB"), ("pounds", "GBP"), ("долларов", "USD"), ("доллара", "USD"), ("доллар", "USD"),
    ("рублей", "RUB"), ("рубля", "RUB"), ("рубль", "RUB"), ("руб.", "RUB"), ("евро", "EUR"), ("юаней", "CNY"),
    ("юаня", "CNY"), ("юань", "CNY"), ("US-Dollar", "USD"), ("Dollar", "USD"), ("Euro", "EUR"),
    ("USD", "USD"), ("EUR", "EUR"), ("KRW", "KRW"), ("JPY", "JPY"), ("CNY", "CNY"), ("RMB", "CNY"), ("RUB", "RUB"),
    ("INR", "INR"), ("GBP", "GBP"),
]  # fmt: skip
_PREFIX_CURRENCIES = [
    ("US$", "USD"), ("U.S.$", "USD"), ("USD", "USD"), ("$", "USD"), ("€", "EUR"), ("EUR", "EUR"), ("£", "GBP"),
    ("GBP", "GBP"), ("¥", "JPY"), ("JPY", "JPY"), ("RMB", "CNY"), ("CNY", "CNY"), ("KRW", "KRW"), ("₩", "KRW"),
    ("Rs.", "INR"), ("Rs", "INR"), ("INR", "INR"), ("₹", "INR"), ("RUB", "RUB"), ("₽", "RUB"),
]  # fmt: skip
_SUFFIX_MAP = {w.lower(): c for w, c in _SUFFIX_CURRENCIES}
_PREFIX_MAP = {w.lower(): c for w, c in _PREFIX_CURRENCIES}
_SUFFIX_ALT = "|".join(re.escape(w) for w, _ in sorted(_SUFFIX_CURRENCIES, key=lambda x: -len(x[0])))
_PREFIX_ALT = "|".join(re.escape(w) for w, _ in sorted(_PREFIX_CURRENCIES, key=lambda x: -len(x[0])))

AMOUNT_RE = re.compile(
    rf"(?:(?P<pcur>{_PREFIX_ALT})\s?(?P<pnum>{_NUMEXPR})(?:\s?(?P<pscale>{_SCALE_RE})(?![\w]))?"
    rf"|(?<![A-Za-z0-9.,])(?P<snum>{_NUMEXPR})\s?(?:(?P<sscale>{_SCALE_RE})\s?)?(?P<scur>{_SUFFIX_ALT})(?![a-zA-Z]))",
)
_ESTIMATE_RE = re.compile(
    r"(?:약|대략|about|around|roughly|approximately|approx\.|some|nearly|almost|около|примерно|порядка|約|约|约合|"
    r"rund|etwa|circa|ca\.)\s*$",
    re.I,
)
_BIG = {"조": 10**12, "兆": 10**12, "억": 10**8, "億": 10**8, "亿": 10**8, "만": 10**4, "万": 10**4, "萬": 10**4}
_SMALL = {"천": 1000, "千": 1000, "백": 100, "百": 100, "십": 10}


@dataclass
class Money:
    """One written sum: value in the currency's unit, where it stands, and its equivalents."""

    value: Decimal
    currency: str
    start: int
    end: int
    text: str
    estimated: bool = False
    alternates: list["Money"] = field(default_factory=list)


def parse_number(s: str, *, decimal_comma: bool | None = None) -> Decimal:
    """'1,200' -> 1200; '1,2' -> 1.2; '1.5' -> 1.5; '3.500.000' -> 3500000."""
    s = s.strip().replace(" ", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if decimal_comma or not all(len(p) == 3 for p in parts[1:]):
            s = s.replace(",", ".") if len(parts) == 2 else s.replace(",", "")
        else:
            s = s.replace(",", "")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    try:
        return Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {s!r}") from exc


def parse_cjk_number(s: str) -> Decimal:
    """Korean/Chinese/Japanese numerals with units: '1조2천억' -> 1.2e12, '147억3천890만' -> 14738900000."""
    tokens = re.findall(rf"{_NUM}|[{_CJK_UNIT}]", s.replace(" ", ""))
    total = Decimal(0)
    section = Decimal(0)
    num: Decimal | None = None
    for t in tokens:
        if t in _BIG:
            section += num if num is not None else Decimal(0)
            total += (section if section else Decimal(1)) * _BIG[t]
            section, num = Decimal(0), None
        elif t in _SMALL or t == "십":
            section += (num if num is not None else Decimal(1)) * _SMALL.get(t, 10)
            num = None
        else:
            num = parse_number(t)
    return total + section + (num if num is not None else Decimal(0))


def _scale_of(word: str | None) -> int:
    if not word:
        return 1
    w = word.lower().rstrip(".")
    if w.startswith("миллиард"):
        return 10**9
    if w.startswith("миллион"):
        return 10**6
    if w.startswith("триллион"):
        return 10**12
    if w == "million":
        return 10**6
    return _SCALES.get(w, 1)


def _value(numexpr: str, scale: str | None, *, decimal_comma: bool) -> Decimal:
    if re.search(f"[{_CJK_UNIT}]", numexpr):
        value = parse_cjk_number(numexpr)
    else:
        value = parse_number(numexpr, decimal_comma=decimal_comma)
    return (value * _scale_of(scale)).normalize()


def find_amounts(text: str, *, language: str = "en") -> list[Money]:
    """Every sum of money in ``text`` with its span, bracketed equivalents folded into alternates."""
    decimal_comma = language in {"ru", "de"}
    found: list[Money] = []
    for m in AMOUNT_RE.finditer(text):
        if m.group("pcur"):
            cur, num, scale = _PREFIX_MAP[m.group("pcur").lower()], m.group("pnum"), m.group("pscale")
        else:
            cur, num, scale = _SUFFIX_MAP[m.group("scur").lower()], m.group("snum"), m.group("sscale")
            if m.group("scur") == "원" and re.match(r"[가-힣]", text[m.end() : m.end() + 1] or " "):
                # "원" opening a word (원천기술, 원료) is not the currency.
                if not re.match(r"[을이은의에과와대선가어씩으로]", text[m.end()]):
                    continue
        try:
            value = _value(num.strip(), scale, decimal_comma=decimal_comma)
        except ValueError:
            continue
        if value <= 0:
            continue
        # Plain years and tiny numbers with a currency word are rarely money ("2025원" never is).
        if cur == "KRW" and value < 10000:
            continue
        before = text[max(0, m.start() - 12) : m.start()]
        found.append(Money(value, cur, m.start(), m.end(), m.group(0), estimated=bool(_ESTIMATE_RE.search(before))))
    return _fold_equivalents(text, found)


_BRACKET_GAP_RE = re.compile(
    r"^\s*[(（\[]\s*(?:한화|원화|미화|우리\s?돈|환산\s?시|약|about|around|roughly|approx\.?|approximately|some|"
    r"около|примерно|約|约合|约|rund|etwa|circa|ca\.|\s|,)*$",
    re.I,
)


def _fold_equivalents(text: str, found: list[Money]) -> list[Money]:
    out: list[Money] = []
    for money in found:
        if out:
            prev = out[-1]
            gap = text[prev.end : money.start]
            last = prev.alternates[-1] if prev.alternates else prev
            gap_from_last = text[last.end : money.start]
            if (_BRACKET_GAP_RE.match(gap) or _BRACKET_GAP_RE.match(gap_from_last)) and money.currency != prev.currency:
                prev.alternates.append(money)
                continue
        out.append(money)
    return out
