"""Dates: the page's dateline, and signing dates resolved against it.

A dateline is a labelled date (입력 2019.10.08, Posted 2022-10-06, Updated: January 20, 2024) or a
dateline opening the body (SEOUL, Nov 16, 2022 -; Magdeburg, 14.02.2024 –). A bare date beside a
weather box is the day the page was scraped, not the article's date, and is not used.
Relative dates ("지난 28일", "on Tuesday", "на прошлой неделе") resolve against the dateline.
"""

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7, "августа": 8,
    "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonntag": 6,
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4, "пятница": 4,
    "субботу": 5, "воскресенье": 6, "월요일": 0, "화요일": 1, "수요일": 2, "목요일": 3, "금요일": 4, "토요일": 5,
    "일요일": 6,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(sorted(WEEKDAYS, key=len, reverse=True))


@dataclass
class FoundDate:
    """A resolved date with its precision ('day', 'month', 'year') and where it was read."""

    date: dt.date
    precision: str
    start: int
    end: int
    text: str

    def iso(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_ABS_PATTERNS = [
    # 2023.05.24 / 2023-05-24 / 2023/05/24
    (re.compile(r"(?<!\d)(20\d\d|19\d\d)\s?[.\-/]\s?(\d{1,2})\s?[.\-/]\s?(\d{1,2})(?!\d)"), "ymd"),
    # 2023년 5월 24일 / 2023年8月24日
    (re.compile(r"(20\d\d|19\d\d)\s?[년年]\s?(\d{1,2})\s?[월月]\s?(\d{1,2})\s?[일日]"), "ymd"),
    # 14.02.2024 (German, Russian)
    (re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(20\d\d|19\d\d)(?!\d)"), "dmy"),
    # Nov 16, 2022 / January 20, 2024 / Oct. 4, 2022
    (re.compile(rf"(?i)\b({_MONTH_ALT})\.?\s(\d{{1,2}}),?\s(20\d\d|19\d\d)\b"), "mdy_name"),
    # 16 November 2022 / 3 июня 2024 / 14. Februar 2024
    (re.compile(rf"(?i)\b(\d{{1,2}})\.?\s({_MONTH_ALT})\.?,?\s(20\d\d|19\d\d)\b"), "dmy_name"),
]
_LABEL_RE = re.compile(
    r"(?i)(?:입력|등록|기사\s?입력|작성|발행|승인|posted|published|updated|date|发表于|发布时间|发布日期|公開日|掲載日|"
    r"опубликовано|veröffentlicht)\s*[:：]?\s*$"
)


def find_absolute_dates(text: str) -> list[FoundDate]:
    out: list[FoundDate] = []
    for rx, kind in _ABS_PATTERNS:
        for m in rx.finditer(text):
            g = m.groups()
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif kind == "dmy":
                d, mo, y = int(g[0]), int(g[1]), int(g[2])
            elif kind == "mdy_name":
                mo, d, y = MONTHS[g[0].lower()], int(g[1]), int(g[2])
            else:
                d, mo, y = int(g[0]), MONTHS[g[1].lower()], int(g[2])
            date = _safe_date(y, mo, d)
            if date:
                out.append(FoundDate(date, "day", m.start(), m.end(), m.group(0)))
    out.sort(key=lambda f: f.start)
    return out


def find_dateline(header: str, body_start: str) -> dt.date | None:
    """The article's own date: a labelled date in the header, else a dateline opening the body."""
    dates = find_absolute_dates(header)
    for f in dates:
        if _LABEL_RE.search(header[max(0, f.start - 20) : f.start]):
            return f.date
    for f in dates:
        line_start = header.rfind("\n", 0, f.start) + 1
        line_end = header.find("\n", f.end)
        line = header[line_start : line_end if line_end >= 0 else len(header)]
        if len(line.strip()) <= len(f.text) + 25 and not re.search(
            r"\((?:[월화수목금토일]|mon|tue|wed|thu|fri|sat|sun)", line, re.I
        ):
            return f.date  # a date standing alone under the title (not the "2025.12.16 (화)" page clock)
    opening = body_start[:400]
    dates = find_absolute_dates(opening)
    for f in dates:
        if _LABEL_RE.search(opening[max(0, f.start - 30) : f.start]) or re.search(
            r"(?i)(?:updated|posted|published)\W", opening[max(0, f.start - 40) : f.start]
        ):
            return f.date
    for f in dates:
        if f.start < 250 and not re.search(
            r"(?:注册|가입|registered|joined)\S*\s*[:：]?\s*$", opening[max(0, f.start - 12) : f.start], re.I
        ):
            return f.date
    return None


_REL_DAY_RE = re.compile(r"(?:(?P<month>\d{1,2})\s?[월月]\s?)?(?<!\d)(?P<day>\d{1,2})\s?[일日](?![본간요])")
_EN_DAY_RE = re.compile(
    rf"(?i)\b(?:on\s)?(?:({_MONTH_ALT})\.?\s(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s({_MONTH_ALT}))\b(?!,?\s\d{{4}})"
)
_WEEKDAY_RE = re.compile(rf"(?i)\b(?:on|am|в|во|last)?\s?({_WEEKDAY_ALT})\b")
# "In February," (a month named alone; capitalised, so the verb "may" is no month)
_IN_MONTH_RE = re.compile(rf"\b(?:[Ii]n|[Ii]m)\s((?i:{_MONTH_ALT}))\b(?!\.?\s?\d)")
_YESTERDAY_RE = re.compile(r"(?i)\byesterday\b|어제|昨日|昨天|\bвчера\b|\bgestern\b")
_YEAR_RE = re.compile(r"(?<!\d)(?<!\d[.,])(19[5-9]\d|20\d\d)(?![\d%]|[.,]\d)(?!\s?(?:억|만|천|조|명|개|원|달러|톤))")
_LAST_WEEK_RE = re.compile(r"(?i)last week|на прошлой неделе|지난주|先週|上周|vergangene[nr]? woche|letzte[nr]? woche")


def only_year(text: str) -> int | None:
    """The year a page without a dateline names, when it names one only ("signed this year... In
    February, ..."): the year of its day-and-month dates. Several years leave them unknown."""
    years = {int(m[1]) for m in _YEAR_RE.finditer(text)}
    return years.pop() if len(years) == 1 else None


def resolve_dates(sentence: str, offset: int, published: dt.date | None, year: int | None = None) -> list[FoundDate]:
    """Dates in one sentence, resolved against the dateline (or, without one, placed in the page's
    only ``year``); sentence offsets shifted by ``offset``."""
    out = [
        FoundDate(f.date, f.precision, f.start + offset, f.end + offset, f.text) for f in find_absolute_dates(sentence)
    ]
    taken = [(f.start - offset, f.end - offset) for f in out]

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in re.finditer(r"(20\d\d|19\d\d)\s?[년年]\s?(\d{1,2})\s?[월月](?!\s?\d{1,2}\s?[일日])", sentence):
        if free(m.start(), m.end()):
            out.append(FoundDate(dt.date(int(m[1]), int(m[2]), 1), "month", m.start() + offset, m.end() + offset, m[0]))
    for m in re.finditer(
        r"(?<!\d)(20\d\d|19\d\d)\s?[년年](?!\s?\d{1,2}\s?[월月]|\s?(?:까지|までに|末|말|이후|以降))", sentence
    ):
        if free(m.start(), m.end()):
            out.append(FoundDate(dt.date(int(m[1]), 1, 1), "year", m.start() + offset, m.end() + offset, m[0]))
    if published is None:
        if year is not None:
            out += _dates_in_year(sentence, offset, year, free)
        return sorted(out, key=lambda f: f.start)
    for m in _REL_DAY_RE.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        day = int(m["day"])
        month = int(m["month"]) if m["month"] else None
        date = _relative_day(published, day, month)
        if date:
            out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0]))
    for m in _EN_DAY_RE.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        month_name = m[1] or m[4]
        day = int(m[2] or m[3])
        date = _relative_day(published, day, MONTHS[month_name.lower()])
        if date:
            out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0]))
    for m in _WEEKDAY_RE.finditer(sentence):
        wd = WEEKDAYS[m[1].lower()]
        back = (published.weekday() - wd) % 7
        date = published - dt.timedelta(days=back)
        out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0].strip()))
    for m in _IN_MONTH_RE.finditer(sentence):
        if free(m.start(), m.end()) and m[1][0].isupper():
            month = MONTHS[m[1].lower()]
            y = published.year if month <= published.month else published.year - 1
            out.append(FoundDate(dt.date(y, month, 1), "month", m.start() + offset, m.end() + offset, m[0]))
    for m in _YESTERDAY_RE.finditer(sentence):
        date = published - dt.timedelta(days=1)
        out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0]))
    for m in _LAST_WEEK_RE.finditer(sentence):
        date = published - dt.timedelta(days=7)
        out.append(FoundDate(date, "month", m.start() + offset, m.end() + offset, m[0]))
    return sorted(out, key=lambda f: f.start)


def _dates_in_year(sentence: str, offset: int, year: int, free) -> list[FoundDate]:
    out = []
    for m in _REL_DAY_RE.finditer(sentence):
        date = _safe_date(year, int(m["month"]), int(m["day"])) if m["month"] and free(m.start(), m.end()) else None
        if date:
            out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0]))
    for m in _EN_DAY_RE.finditer(sentence):
        date = _safe_date(year, MONTHS[(m[1] or m[4]).lower()], int(m[2] or m[3])) if free(m.start(), m.end()) else None
        if date:
            out.append(FoundDate(date, "day", m.start() + offset, m.end() + offset, m[0]))
    for m in _IN_MONTH_RE.finditer(sentence):
        if free(m.start(), m.end()) and m[1][0].isupper():
            date = dt.date(year, MONTHS[m[1].lower()], 1)
            out.append(FoundDate(date, "month", m.start() + offset, m.end() + offset, m[0]))
    return out


def _relative_day(published: dt.date, day: int, month: int | None) -> dt.date | None:
    """The latest date on or before the dateline with this day (and month, when given)."""
    if month:
        date = _safe_date(published.year, month, day)
        if date and date > published:
            date = _safe_date(published.year - 1, month, day)
        return date
    if day <= published.day:
        return _safe_date(published.year, published.month, day)
    prev = published.replace(day=1) - dt.timedelta(days=1)
    return _safe_date(prev.year, prev.month, day)
