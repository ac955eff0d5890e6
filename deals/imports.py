"""Spreadsheet import: the deals staff already keep in CSV or Excel files become drafts (or
approved deals, for a reviewer who says so), with their provenance.

- **Reading.** openpyxl streams an XLSX in read-only mode. A formula cell is read as the value
  the spreadsheet stored; it is never evaluated, and a formula without a stored value refuses its
  row. A CSV is decoded whole: strict UTF-8, else CP949 (Korean Excel); when neither fits, the one
  that needs fewer replacements, with a warning saying how many characters were replaced.
- **Columns.** The header row is the one, among the first ten, in which most cells name a known
  field. Korean and English headers are recognised, including units such as "투자금액(억원)". A
  header merged across several columns names each of them. The mapping used is remembered for
  the next file with the same headers.
- **Rows.**
  - Key: each row's key is a hash of its values, so re-importing the same file changes nothing.
  - Refusal: a bad row is refused with its reason (unknown currency, impossible date, no name,
    formula without value) and the good rows go on.
  - Matching: companies are matched by alias, as extraction does.
- **Bounds.** A file is bounded like an article (``Limits``): its bytes (and, for an XLSX, the
  bytes it unpacks to: a zip bomb is refused before openpyxl opens it), rows, columns, cells and
  wall time. A sheet's declared dimension is ignored (openpyxl would pad every row to it), and a
  sheet stops after a long run of empty rows. A malformed file (not a zip, broken XML, entities)
  is refused with a reason, never an error page. Rows are written in batches of 200, each in one
  transaction, so memory stays flat.
- **One validation.** ``parse_row`` checks everything the database would refuse (lengths,
  positive amounts that fit their columns, a date for a stated precision, names that leave a
  key), so the dry run and the import refuse the same rows: an import never fails on a row its
  dry run accepted.

The exported CSV (`/deals/?export=csv`) is one of the formats recognised: an export imports back
without loss.
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from babel.numbers import list_currencies
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sources.extraction import deal_title
from sources.extraction import lexicon as lx
from sources.extraction.amounts import find_amounts
from sources.extraction.rates import to_usd

from .models import (
    Amount,
    Company,
    DatePrecision,
    Deal,
    DealKind,
    DealKindCode,
    DealParty,
    DealSource,
    DealStage,
    DecidedBy,
    GovernmentInvolvement,
    ImportedRow,
    ImportMapping,
    JointVenture,
    Lifecycle,
    PartyRole,  # fmt: skip
    ReviewStatus,
)
from .rates import rates_refresh

BATCH = 200
HEADER_SCAN_ROWS = 10
CURRENCIES = set(list_currencies())

# Canonical field → header words (compared without case, spaces or punctuation).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "번호", "no", "순번"),
    "title": ("title", "제목", "거래명", "사업명", "프로젝트", "project", "deal"),
    "kinds": ("kinds", "kind", "유형", "거래유형", "형태", "투자형태", "type"),
    "lifecycle": ("lifecycle", "stage", "단계", "진행단계", "진행상황", "status", "상태"),
    "signed_on": ("signedon", "date", "체결일", "협약일", "계약일", "날짜", "일자", "signingdate"),
    "date_precision": ("dateprecision",),
    "parties": ("parties", "당사자"),
    "investor": ("investor", "투자자", "투자기업", "외국기업", "해외기업", "foreigncompany", "투자사"),
    "investor_country": ("investorcountry", "투자국", "국적", "국가", "country"),
    "investee": ("investee", "국내기업", "한국기업", "koreancompany", "partner", "파트너", "협력기업"),
    "joint_venture": ("jointventure", "합작법인", "jv"),
    "amounts": ("amounts", "amount", "금액", "투자금액", "투자액", "투자규모", "value"),
    "currency": ("currency", "통화"),
    "usd": ("usd", "미화", "달러환산"),
    "rate_dates": ("ratedates",),
    "destination": ("destination", "destinationcountry", "투자대상국", "대상국"),
    "place": ("place", "장소", "지역", "location"),
    "government": ("government", "유치기관", "지자체", "기관", "programme", "program"),
    "sectors": ("sectors", "sector", "분야", "업종", "산업"),
    "sources": ("sources", "source", "url", "출처", "기사", "link"),
}
# Units a header may carry for its amounts: "투자금액(억원)", "Amount (USD m)".
UNITS = [(r"억\s*원", "KRW", Decimal(10) ** 8), (r"백만\s*달러|usd\s*m(?:illion|n)?\b|\$\s*m\b", "USD", Decimal(10) ** 6),
         (r"만\s*달러", "USD", Decimal(10) ** 4), (r"천\s*달러", "USD", Decimal(1000)),
         (r"백만\s*원", "KRW", Decimal(10) ** 6), (r"\busd\b|달러", "USD", Decimal(1)), (r"\bkrw\b|원", "KRW", Decimal(1)),
         (r"\beur\b|유로", "EUR", Decimal(1))]  # fmt: skip
PARTY_RE = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[A-Z]{2})?,\s*(?P<role>[a-z_]+)\)$")


class SpreadsheetError(ValueError):
    """The file cannot be read at all (not a spreadsheet, no header row, over a bound)."""


@dataclass(frozen=True)
class Limits:
    """What one import may cost. A deal spreadsheet is a few thousand rows of 10-30 columns; these
    leave room for ten times that and stop a hostile file long before it costs minutes."""

    max_bytes: int = 20 * 1024 * 1024  # the file as uploaded
    max_unpacked_bytes: int = 200 * 1024 * 1024  # an XLSX's members, unpacked (zip bombs)
    max_members: int = 2_000  # files inside an XLSX
    max_rows: int = 100_000  # data rows, all sheets together
    max_columns: int = 200  # cells past this column are not read
    max_cells: int = 5_000_000  # cells read, all rows together
    max_empty_run: int = 1_000  # a sheet ends after this many empty rows in a row
    max_seconds: float = 600.0  # wall time of one import (dry run or not)

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(max_bytes=getattr(settings, "IMPORT_MAX_BYTES", cls.max_bytes),
                   max_seconds=getattr(settings, "IMPORT_MAX_SECONDS", cls.max_seconds))  # fmt: skip


def _key(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\W_]+", "", s)


_SYNONYMS = {_key(word): name for name, words in FIELDS.items() for word in words}


def field_of(header: str) -> str | None:
    """The field a header names: exact first, then a header that starts with a known word
    ("투자금액(억원)", "Signing date (YYYY-MM-DD)")."""
    k = _key(re.sub(r"\(.*?\)|\[.*?\]", "", str(header or "")))
    if k in _SYNONYMS:
        return _SYNONYMS[k]
    for word in sorted(_SYNONYMS, key=len, reverse=True):
        if len(word) >= 2 and k.startswith(word):
            return _SYNONYMS[word]
    return None


def unit_of(header: str) -> tuple[str, Decimal] | None:
    for pattern, currency, factor in UNITS:
        if re.search(pattern, str(header or ""), re.I):
            return currency, factor
    return None


@dataclass
class Table:
    sheet: str
    headers: list[str]
    rows: Iterator[tuple[int, list[Any], list[Any]]]  # (row number, values, formulas)
    warnings: list[str] = field(default_factory=list)  # filled while reading (encoding, a sheet cut short)


def _header_row(first: list[list[Any]]) -> int:
    scores = [sum(1 for v in row if v is not None and field_of(str(v))) for row in first]
    best = max(range(len(first)), key=lambda i: (scores[i], -i), default=0)
    if not first or scores[best] < 2:
        raise SpreadsheetError(
            "no header row: none of the first rows names two known columns (title, investor, date ...)"
        )
    return best


def _is_subheader(row: list[Any], above: list[Any]) -> bool:
    """A second header row under merged cells: "투자금액" spanning "억원" and "통화"."""
    cells = [v for v in row if v not in (None, "")]
    merged = any(v in (None, "") for v in above[1:])
    return bool(cells) and merged and all(field_of(str(v)) or unit_of(str(v)) for v in cells)


def _headers(first: list[list[Any]], at: int) -> tuple[list[str], int]:
    """The header (merged cells filled: an empty cell takes the name of the group to its left)
    and the number of header rows (two when a second row names the merged group's columns)."""
    top: list[str] = []
    for v in first[at]:
        top.append(str(v).strip() if v not in (None, "") else (top[-1] if top else ""))
    if at + 1 < len(first) and _is_subheader(first[at + 1], first[at]):
        sub = first[at + 1]
        headers = []
        for j, group in enumerate(top):
            v = sub[j] if j < len(sub) else None
            if v in (None, ""):
                headers.append(group)
            else:
                headers.append(str(v).strip() if field_of(str(v)) else f"{group} {str(v).strip()}")
        return headers, 2
    return top, 1


def read_table(path: Path, limits: Limits | None = None, name: str | None = None) -> Iterator[Table]:
    """Each sheet (or the CSV) as a header and a stream of rows; memory stays flat. ``name`` is
    the file's name for messages (an upload is stored under another)."""
    limits = limits or Limits()
    label = name or path.name
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise SpreadsheetError(f"{label}: {size:,} bytes is over the import limit of {limits.max_bytes:,} bytes")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _read_xlsx(path, limits, label)
    elif path.suffix.lower() in (".csv", ".txt"):
        yield _read_csv(path, limits, label)
    else:
        raise SpreadsheetError(f"{label}: not a spreadsheet (.xlsx or .csv)")


def decode_csv(raw: bytes) -> tuple[str, str, str]:
    """(text, encoding, warning) for a CSV's bytes, decided on the whole file: a sample cut at a
    fixed byte splits a multibyte character and reads a UTF-8 file as CP949. Strict UTF-8 first;
    a handful of bad bytes in UTF-8 text stay UTF-8 (replaced, with a warning); then strict CP949;
    then whichever needs fewer replacements, with a warning."""
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return _decoded(raw, enc)
    try:
        return raw.decode("utf-8-sig"), "utf-8", ""
    except UnicodeDecodeError:
        pass
    text, enc, warning = _decoded(raw, "utf-8-sig")
    if text.count("\ufffd") - raw.count(b"\xef\xbf\xbd") <= max(3, len(text) // 5000):
        return text, enc, warning
    try:
        return raw.decode("cp949"), "cp949", ""
    except UnicodeDecodeError:
        pass
    return min((_decoded(raw, "utf-8-sig"), _decoded(raw, "cp949")), key=lambda t: t[0].count("\ufffd"))


def _decoded(raw: bytes, encoding: str) -> tuple[str, str, str]:
    text = raw.decode(encoding, errors="replace")
    # U+FFFD already in UTF-8 text is the file's own; CP949 cannot hold it, so there every one is ours.
    replaced = text.count("\ufffd") - (raw.count(b"\xef\xbf\xbd") if encoding.startswith("utf-8") else 0)
    name = "utf-8" if encoding == "utf-8-sig" else encoding
    warning = (f"read as {name.upper()}, but {replaced:,} character(s) could not be decoded and were replaced "
               "by '\ufffd': check those rows, or save the file again as UTF-8") if replaced else ""  # fmt: skip
    return text, name, warning


def _read_csv(path: Path, limits: Limits, label: str) -> Table:
    text, encoding, warning = decode_csv(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = [r[: limits.max_columns] for _, r in zip(range(HEADER_SCAN_ROWS), reader, strict=False)]
    except csv.Error as exc:
        raise SpreadsheetError(f"{label}: unreadable CSV at line {reader.line_num}: {exc}") from None
    at = _header_row(first)
    headers, depth = _headers(first, at)

    def rows() -> Iterator[tuple[int, list[Any], list[Any]]]:
        for i, r in enumerate(first[at + depth :], start=at + depth + 1):
            yield i, r, r
        try:
            for i, r in enumerate(reader, start=len(first) + 1):
                r = r[: limits.max_columns]
                yield i, r, r
        except csv.Error as exc:
            raise SpreadsheetError(f"{label}: unreadable CSV at line {reader.line_num}: {exc}") from None

    return Table(sheet="", headers=headers, rows=rows(), warnings=[warning] if warning else [])


def _check_zip(path: Path, limits: Limits, label: str) -> None:
    """Refuse what is not an XLSX, or unpacks to more than the limit, before openpyxl opens it."""
    if not zipfile.is_zipfile(path):
        raise SpreadsheetError(f"{label}: not an XLSX file (it is not a zip archive); save it from Excel "
                               "as .xlsx, or as CSV")  # fmt: skip
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(f"{label}: not a readable XLSX file ({exc})") from None
    if len(members) > limits.max_members:
        raise SpreadsheetError(f"{label}: {len(members):,} files inside the workbook, over the limit of "
                               f"{limits.max_members:,}")  # fmt: skip
    # The declared sizes bound what zipfile will unpack (it stops at them), so their sum is the cost.
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise SpreadsheetError(f"{label}: unpacks to {unpacked:,} bytes, over the limit of "
                               f"{limits.max_unpacked_bytes:,} (a zip bomb, or a workbook to split)")  # fmt: skip


# What openpyxl and the XML parsers under it raise on a broken or hostile workbook (xml.etree's
# ParseError and lxml's XMLSyntaxError are SyntaxErrors).
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, AttributeError, OSError, EOFError,
           SyntaxError)  # fmt: skip


def _broken(label: str, exc: BaseException) -> SpreadsheetError:
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return SpreadsheetError(f"{label}: not a readable XLSX file ({type(exc).__name__}: {reason})")


def _defused() -> tuple[type[BaseException], ...]:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:
        return ()
    return (DefusedXmlException,)


def _read_xlsx(path: Path, limits: Limits, label: str) -> Iterator[Table]:
    from openpyxl import load_workbook

    _check_zip(path, limits, label)
    broken = _BROKEN + _defused()
    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except broken as exc:
        raise _broken(label, exc) from None
    try:
        for ws, wf in zip(values_book.worksheets, formula_book.worksheets, strict=True):
            if not hasattr(ws, "reset_dimensions"):
                continue  # a chart sheet
            # The declared dimension ("A1:XFD1048576") is the file's word only: openpyxl would pad every
            # row to it. Without it, rows are as long as their last cell and missing rows are empty.
            ws.reset_dimensions()
            wf.reset_dimensions()
            table = Table(sheet=ws.title, headers=[], rows=iter(()))
            try:
                values = _bounded(ws.iter_rows(values_only=True), limits, table)
                formulas = _bounded(wf.iter_rows(values_only=True), limits, None)
                first = [r for _, r in zip(range(HEADER_SCAN_ROWS), values, strict=False)]
                first_f = [r for _, r in zip(range(HEADER_SCAN_ROWS), formulas, strict=False)]
            except SpreadsheetError:
                raise
            except broken as exc:
                raise _broken(label, exc) from None
            try:
                at = _header_row(first)
            except SpreadsheetError:
                continue  # a sheet of notes or charts: not a table of deals

            table.headers, depth = _headers(first, at)

            def rows(first=first, first_f=first_f, start=at + depth, values=values, formulas=formulas):
                for i in range(start, len(first)):
                    yield i + 1, first[i], first_f[i]
                try:
                    for i, (v, f) in enumerate(zip(values, formulas, strict=False), start=len(first) + 1):
                        yield i, v, f
                except SpreadsheetError:
                    raise
                except broken as exc:
                    raise _broken(label, exc) from None

            table.rows = rows()
            yield table
    finally:
        values_book.close()
        formula_book.close()


def _bounded(rows: Iterator[tuple], limits: Limits, table: Table | None) -> Iterator[list[Any]]:
    """A sheet's rows cut to ``max_columns`` and trailing empty cells, ending after a run of
    ``max_empty_run`` empty rows (said in ``table.warnings``) or past ``max_cells``."""
    empty = cells = 0
    for number, row in enumerate(rows, start=1):
        if len(row) > limits.max_columns:
            row = row[: limits.max_columns]
        cells += len(row)
        if cells > limits.max_cells:
            raise SpreadsheetError(f"sheet {table.sheet if table else ''!r}: more than {limits.max_cells:,} cells "
                                   f"by row {number:,}; split the file")  # fmt: skip
        if not any(v is not None and v != "" for v in row):
            empty += 1
            if empty >= limits.max_empty_run:
                if table is not None:
                    table.warnings.append(f"sheet {table.sheet!r}: stopped reading at row {number:,} after "
                                          f"{limits.max_empty_run:,} empty rows; anything below was ignored")  # fmt: skip
                return
            yield []
            continue
        empty = 0
        yield list(row)


def upload_dir() -> Path:
    """Where the admin keeps an uploaded file between its dry run and the confirmation."""
    import tempfile

    path = Path(getattr(settings, "IMPORT_UPLOAD_DIR", "") or Path(tempfile.gettempdir()) / "tracker-imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_keep(chunks: Iterator[bytes], suffix: str) -> Path:
    """Store an upload for its dry run; files left by dry runs never confirmed go after a day."""
    import tempfile

    folder = upload_dir()
    stale = time.time() - 24 * 3600
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < stale:
                old.unlink()
        except OSError:
            pass  # another process swept it first
    fd, name = tempfile.mkstemp(suffix=suffix, dir=folder)
    path = Path(name)
    try:
        with open(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def upload_path(stored: str) -> Path | None:
    """The kept upload a session names, if it is still there (and is one of ours)."""
    path = Path(stored)
    return path if path.parent == upload_dir() and path.is_file() else None


# ---- rows --------------------------------------------------------------------------------------


class RowError(ValueError):
    pass


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _split(v: Any) -> list[str]:
    return [p.strip() for p in re.split(r";|\n", _text(v)) if p.strip()]


def _date(v: Any) -> tuple[dt.date | None, str]:
    if v is None or _text(v) == "":
        return None, DatePrecision.UNKNOWN
    if isinstance(v, dt.datetime):
        return v.date(), DatePrecision.DAY
    if isinstance(v, dt.date):
        return v, DatePrecision.DAY
    s = _text(v)
    m = re.fullmatch(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*(?:[-./월]\s*(\d{1,2})\s*일?)?\s*\.?", s) or re.fullmatch(
        r"(\d{4})()()", s
    )
    if not m:
        raise RowError(f"unreadable date {s!r} (use YYYY-MM-DD)")
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        day = dt.date(y, mo, d)
    except ValueError as exc:
        raise RowError(f"impossible date {s!r}: {exc}") from None
    precision = DatePrecision.DAY if m.group(3) else DatePrecision.MONTH if m.group(2) else DatePrecision.YEAR
    return day, precision


def _country(v: Any) -> str:
    s = _text(v)
    if not s:
        return ""
    if re.fullmatch(r"[A-Za-z]{2}", s):
        return s.upper()
    code = lx.country_of(s)
    if not code:
        raise RowError(f"unknown country {s!r}")
    return code


def _money(cell: Any, currency: str, unit: tuple[str, Decimal] | None) -> tuple[Decimal, str, str]:
    """(value, currency, text) from a number (with the header's unit or the currency column) or
    from text such as "33억원", "USD 3 million", "50000000 EUR"."""
    text = _text(cell)
    if isinstance(cell, int | float | Decimal) or re.fullmatch(r"-?[\d,]+(?:\.\d+)?", text):
        value = Decimal(text.replace(",", ""))
        cur, factor = currency or (unit[0] if unit else ""), unit[1] if unit else Decimal(1)
        if not cur:
            raise RowError(f"amount {text!r} has no currency (add a currency column or a unit in the header)")
        return value * factor, cur.upper(), text
    m = re.fullmatch(r"(-?[\d.]+)\s+([A-Za-z]{3})", text)
    if m:
        return Decimal(m.group(1)), m.group(2).upper(), text
    found = find_amounts(text, language="ko" if re.search(r"[가-힣]", text) else "en")
    if not found:
        raise RowError(f"unreadable amount {text!r}")
    return found[0].value, found[0].currency, text


def _kinds(v: Any) -> list[str]:
    out: list[str] = []
    for part in _split(v) or ([_text(v)] if _text(v) else []):
        code = part if part in DealKindCode.values else None
        if code is None:
            code = next((c for c, rx in lx.KIND_RES.items() if rx.search(part)), None)
        if code is None:
            raise RowError(f"unknown deal kind {part!r}")
        if code not in out:
            out.append(code)
    return out


_LIFECYCLE = {**{v: v for v in Lifecycle.values}, **{_key(label): v for v, label in Lifecycle.choices},
              _key("MOU"): Lifecycle.MOU_SIGNED, _key("체결"): Lifecycle.AGREEMENT_SIGNED,
              _key("완료"): Lifecycle.COMPLETED, _key("취소"): Lifecycle.CANCELLED, _key("철회"): Lifecycle.CANCELLED,
              _key("발표"): Lifecycle.ANNOUNCED}  # fmt: skip


def parse_row(values: list[Any], formulas: list[Any], columns: dict[int, str], units: dict[int, Any]) -> dict:
    """One row as the fields of a deal, or RowError with the reason."""
    raw: dict[str, Any] = {}
    for j, name in columns.items():
        v = values[j] if j < len(values) else None
        f = formulas[j] if j < len(formulas) else None
        if v is None and isinstance(f, str) and f.startswith("="):
            raise RowError(f"formula {f!r} has no stored value (formulas are never evaluated; save the file in Excel)")
        if name in raw and _text(raw[name]):
            continue
        raw[name] = v
        if name == "amounts" and units.get(j):
            raw["_unit"] = units[j]
    if not any(_text(v) for v in raw.values()):
        return {}
    data: dict[str, Any] = {"title": _text(raw.get("title"))[:300]}
    parties: list[dict[str, str]] = []
    for item in _split(raw.get("parties")):
        m = PARTY_RE.match(item)
        if not m:
            raise RowError(f"unreadable party {item!r} (expected 'Name (CC, role)')")
        parties.append({"name": m["name"], "country": m["country"] or "", "role": m["role"]})
    for column, role in (("investor", PartyRole.INVESTOR), ("investee", PartyRole.INVESTEE)):
        for name in _split(raw.get(column)):
            country = _country(raw.get("investor_country")) if column == "investor" else ""
            parties.append({"name": name, "country": country or ("KR" if column == "investee" else ""), "role": role})
    for p in parties:
        if p["role"] not in PartyRole.values:
            raise RowError(f"unknown party role {p['role']!r}")
    data["parties"] = parties
    data["joint_venture"] = _text(raw.get("joint_venture"))
    if not data["title"] and not parties and not data["joint_venture"]:
        raise RowError("no name: the row has no title, party or joint venture")
    data["kinds"] = _kinds(raw.get("kinds"))
    stage = _text(raw.get("lifecycle"))
    data["lifecycle"] = _LIFECYCLE.get(stage) or _LIFECYCLE.get(_key(stage)) if stage else ""
    if stage and not data["lifecycle"]:
        raise RowError(f"unknown stage {stage!r}")
    data["signed_on"], precision = _date(raw.get("signed_on"))
    data["date_precision"] = _text(raw.get("date_precision")) or precision
    if data["date_precision"] not in DatePrecision.values:
        raise RowError(f"unknown date precision {data['date_precision']!r}")
    currency = _text(raw.get("currency")).upper()
    amounts = []
    for cell in _split(raw.get("amounts")) if isinstance(raw.get("amounts"), str) else [raw.get("amounts")]:
        if cell is None or _text(cell) == "":
            continue
        value, cur, text = _money(cell, currency, raw.get("_unit"))
        if cur not in CURRENCIES:
            raise RowError(f"unknown currency {cur!r}")
        amounts.append({"value": value, "currency": cur, "text": text})
    usd, rate_dates = _split(raw.get("usd")), _split(raw.get("rate_dates"))
    for i, a in enumerate(amounts):
        if i < len(usd):
            try:
                a["usd"] = Decimal(usd[i].replace(",", ""))
            except InvalidOperation:
                raise RowError(f"unreadable USD value {usd[i]!r}") from None
            a["rate_date"] = _date(rate_dates[i])[0] if i < len(rate_dates) else data["signed_on"]
    data["amounts"] = amounts
    data["destination"] = _country(raw.get("destination"))
    data["place"] = _text(raw.get("place"))[:255]
    data["government"] = _split(raw.get("government"))
    data["sectors"] = _split(raw.get("sectors"))
    data["sources"] = _split(raw.get("sources"))
    validate_row(data)
    return data


# Column sizes (deals/models.py): a row that would not fit is refused here, by the dry run and the
# import alike, instead of failing at INSERT after the dry run said yes.
NAME_MAX = 255  # Company.name, GovernmentBody.name and their aliases
SECTOR_MAX = 100
AMOUNT_DIGITS = (24, 2)  # Amount.value, Amount.usd_value
USD_TOTAL_DIGITS = (20, 2)  # Deal.usd_total, the largest USD value of the deal
RATE_DIGITS = (20, 10)  # Amount.usd_rate


def _fits(value: Decimal, digits: tuple[int, int], what: str) -> Decimal:
    """``value`` rounded as its column stores it, or RowError when it is not a finite number or
    has more integer digits than the column holds."""
    max_digits, places = digits
    if not value.is_finite():
        raise RowError(f"{what} {value} is not a number")
    try:
        stored = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        stored = None
    if stored is None or (stored.adjusted() + 1 > max_digits - places and stored != 0):
        raise RowError(f"{what} {value:,f} is too large: at most {max_digits - places} digits before the decimal point")
    return stored


def _name(name: str, what: str, limit: int = NAME_MAX) -> None:
    from .names import normalize_name

    if len(name) > limit:
        raise RowError(f"{what} is {len(name):,} characters long: at most {limit}")
    if not normalize_name(name):
        raise RowError(f"{what} {name!r} has no letters or digits to match it by")


def amount_columns(a: dict, signed_on: dt.date | None) -> dict[str, Any]:
    """The Amount columns for one parsed amount: its USD value and the rate, as imported or from
    the reference rates. One definition for the validation and the writer."""
    if "usd" in a:
        usd, rate_on, source, r = a["usd"], a["rate_date"], "as imported", None
        try:
            rate = (usd / a["value"]).quantize(Decimal("0.0000000001")) if a["value"] else None
        except InvalidOperation:
            raise RowError(f"rate to USD of {usd} for {a['text']!r} is too large") from None
    else:
        usd, r, _ = to_usd(a["value"], a["currency"], signed_on)
        rate, rate_on, source = (r.usd_per_unit, r.date, r.source) if r else (None, None, "")
    return {"value": a["value"], "currency": a["currency"], "original_text": a["text"][:300],
            "usd_value": usd if rate is not None else None, "usd_rate": rate, "usd_rate_date": rate_on,
            "usd_rate_source": source, "usd_provisional": bool(r and r.provisional)}  # fmt: skip


def validate_row(data: dict) -> None:
    """Everything the database would refuse about a parsed row, as a RowError with the reason:
    names that do not fit or leave no key, amounts that are not positive or do not fit their
    columns (USD and rate included), a date precision without a date. ``parse_row`` calls it, so
    the dry run and the import refuse exactly the same rows."""
    for p in data["parties"]:
        _name(p["name"], "party name")
    if data["joint_venture"]:
        _name(data["joint_venture"], "joint venture name")
    for name in data["government"]:
        body, _, programme = (part.strip() for part in name.partition(" / "))
        _name(body, "government body")
        if programme:
            _name(programme, "programme", limit=200)
    for name in data["sectors"]:
        if len(name) > SECTOR_MAX:
            raise RowError(f"sector is {len(name):,} characters long: at most {SECTOR_MAX}")
    if (data["signed_on"] is None) != (data["date_precision"] == DatePrecision.UNKNOWN):
        raise RowError(f"date precision {data['date_precision']!r} does not fit the date "
                       f"{data['signed_on'] or '(none)'}: a date needs a precision, and no date has none")  # fmt: skip
    for a in data["amounts"]:
        # Checked as the column stores it (rounded to cents), but left as read: the row's key hashes it.
        if _fits(a["value"], AMOUNT_DIGITS, "amount") <= 0:
            raise RowError(f"amount {a['text']!r} is not above zero")
        if "usd" in a:
            if a["usd"] < 0:
                raise RowError(f"USD value {a['usd']} is below zero")
            if a["rate_date"] is None:
                raise RowError("a USD value needs a date for its rate: add the signing date or a rate date")
        row = amount_columns(a, data["signed_on"])
        if row["usd_value"] is not None:
            _fits(row["usd_value"], USD_TOTAL_DIGITS, "USD value")
            _fits(row["usd_rate"], RATE_DIGITS, "rate to USD")


_HANGUL = re.compile(r"[가-힣]")
_COUNTERPARTY_ROLES = (PartyRole.INVESTEE, PartyRole.TARGET, PartyRole.LICENSEE, PartyRole.PARTNER)


def infer_row(data: dict, *, korean_sheet: bool, columns: Iterable[str] = ()) -> dict:
    """What a row implies without stating it, as the extractor infers it from an article. Roles a
    sheet states (a ``parties`` column, as the export writes) are taken at their word, so that an
    export imports back as it was:

    - a joint venture (its kind, or a JV name given) whose parties come from the investor and
      investee columns has JV parents, not an investor and an investee, and a joint-venture
      record: the JV named, or named after its parents;
    - in a Korean-language sheet a counterparty named in Hangul with no country is Korean;
    - with no destination given, the destination is the one country of the counterparties (the
      investee, target, licensee, partner), else in a Korean-language sheet Korea when a party is
      Korean, else the JV's place when it names a known city.
    """
    columns = set(columns)
    parties = data["parties"]
    for p in parties:
        if korean_sheet and not p["country"] and p["role"] in _COUNTERPARTY_ROLES and _HANGUL.search(p["name"]):
            p["country"] = "KR"
    if ("joint_venture" in data["kinds"] or data["joint_venture"]) and "parties" not in columns:
        if "joint_venture" not in data["kinds"]:
            data["kinds"].append("joint_venture")
        for p in parties:
            if p["role"] in (PartyRole.INVESTOR, PartyRole.INVESTEE):
                p["role"] = PartyRole.JV_PARENT
        if not data["joint_venture"] and len(parties) >= 2:
            data["joint_venture"] = f"{' – '.join(p['name'] for p in parties[:3])} joint venture"[:255]
    if not data["destination"]:
        counterparties = {p["country"] for p in parties if p["role"] in _COUNTERPARTY_ROLES and p["country"]}
        if len(counterparties) == 1:
            data["destination"] = counterparties.pop()
        elif korean_sheet and any(p["country"] == "KR" for p in parties):
            data["destination"] = "KR"
        elif data["joint_venture"] and data["place"]:
            data["destination"] = lx.city_country(data["place"]) or ""
    return data


def row_key(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


# ---- the import --------------------------------------------------------------------------------


@dataclass
class Report:
    file: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    plans: list[tuple[str, int, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # the file was read, but not quite as written


def mapping_for(headers: list[str], overrides: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field: a remembered mapping for these headers, then recognition, then the
    caller's overrides ("Header=field")."""
    signature = hashlib.sha256("\x1f".join(headers).encode()).hexdigest()
    saved = ImportMapping.objects.filter(signature=signature).values_list("mapping", flat=True).first() or {}
    columns: dict[int, str] = {}
    for j, h in enumerate(headers):
        name = (overrides or {}).get(h) or saved.get(h) or field_of(h)
        if name and name != "-" and name in FIELDS:
            columns[j] = name
    return columns


def remember(headers: list[str], columns: dict[int, str]) -> None:
    signature = hashlib.sha256("\x1f".join(headers).encode()).hexdigest()
    ImportMapping.objects.update_or_create(
        signature=signature, defaults={"headers": headers, "mapping": {headers[j]: f for j, f in columns.items()}}
    )


def import_file(path: Path, *, user: Any = None, approve: bool = False, dry_run: bool = False,
                overrides: dict[str, str] | None = None, name: str | None = None, progress: Any = None,
                decided_by: str = DecidedBy.IMPORT, limits: Limits | None = None) -> Report:  # fmt: skip
    """Import every sheet of a spreadsheet; see the module docstring. Raises SpreadsheetError for
    a file that cannot be read or passes a bound (``Limits``); past the row or time bound of a real
    import, the batches before it are written, and importing the file again adds the rest."""
    limits = limits or Limits.from_settings()
    report = Report(file=name or path.name)
    rates_refresh()  # amounts convert at the database's ECB rates (manage.py rates_update)
    writer = _Writer(user=user, approve=approve, provenance_file=report.file, decided_by=decided_by)
    deadline = time.monotonic() + limits.max_seconds
    for table in read_table(path, limits, report.file):
        columns = mapping_for(table.headers, overrides)
        report.mapping.update({table.headers[j]: f for j, f in columns.items()})
        units = {j: unit_of(table.headers[j]) for j, f in columns.items() if f == "amounts"}
        if not dry_run:
            remember(table.headers, columns)
        korean_sheet = any(_HANGUL.search(h or "") for h in table.headers)
        batch: list[tuple[int, str, dict]] = []
        for number, values, formulas in table.rows:
            if time.monotonic() > deadline:
                raise SpreadsheetError(f"too slow: stopped at sheet {table.sheet or '-'} row {number:,} after "
                                       f"{limits.max_seconds:,.0f} s (the import's time limit); split the file")  # fmt: skip
            if report.rows >= limits.max_rows and any(v is not None and v != "" for v in values):
                raise SpreadsheetError(f"too many rows: more than {limits.max_rows:,} (stopped at sheet "
                                       f"{table.sheet or '-'} row {number:,}); split the file")  # fmt: skip
            try:
                data = parse_row(values, formulas, columns, units)
            except (RowError, InvalidOperation) as exc:
                report.rows += 1
                report.refused.append((table.sheet, number, str(exc)))
                continue
            if not data:
                continue  # an empty row
            report.rows += 1
            key = row_key(data)  # before inference: a file imported before it still re-imports as unchanged
            infer_row(data, korean_sheet=korean_sheet, columns=columns.values())
            batch.append((number, key, data))
            if len(batch) >= BATCH:
                writer.write(table.sheet, batch, report, dry_run)
                batch = []
                if progress:
                    progress(report.rows)
        if batch:
            writer.write(table.sheet, batch, report, dry_run)
        report.warnings += table.warnings
    return report


class _Writer:
    """Writes batches of parsed rows; companies, kinds and bodies are looked up once per import."""

    def __init__(self, *, user: Any, approve: bool, provenance_file: str, decided_by: str = DecidedBy.IMPORT):
        self.user, self.approve, self.file, self.decided_by = user, approve, provenance_file, decided_by
        self.companies: dict[tuple[str, str], Company] = {}
        self.kinds = {k.code: k for k in DealKind.objects.all()}
        self.sectors: dict[str, Any] = {}
        self.bodies: dict[str, Any] = {}

    def company(self, name: str, country: str, dry_run: bool) -> tuple[Company | None, bool]:
        from .names import normalize_name
        from .services import company_match_or_create

        key = (normalize_name(name), country)
        if key in self.companies:
            return self.companies[key], True
        if dry_run:
            from .models import CompanyAlias

            alias = CompanyAlias.objects.filter(normalized=key[0]).select_related("company").first()
            return (alias.company if alias else None), alias is not None
        company = company_match_or_create(name=name, aliases=[], country=country or None)
        self.companies[key] = company
        return company, True

    def write(self, sheet: str, batch: list[tuple[int, str, dict]], report: Report, dry_run: bool) -> None:
        seen = set(ImportedRow.objects.filter(key__in=[k for _, k, _ in batch]).values_list("key", flat=True))
        todo = []
        for number, key, data in batch:
            if key in seen:
                report.unchanged += 1
                report.plans.append((sheet, number, "unchanged: imported before"))
                continue
            seen.add(key)
            report.created += 1
            if dry_run:
                matched = [f"{p['name']} ({'matched' if self.company(p['name'], p['country'], True)[1] else 'new'})"
                           for p in data["parties"]]  # fmt: skip
                report.plans.append((sheet, number, "create: " + (", ".join(matched) or data["title"])))
            else:
                todo.append((number, key, data))
        if todo:
            with transaction.atomic():
                self._create(sheet, todo)

    def _create(self, sheet: str, rows: list[tuple[int, str, dict]]) -> None:
        """One batch: the deals and each kind of related row in one INSERT each (history included)."""
        from .services import _lifecycle, _sector, body_match_or_create, deals_refresh_counts, rows_bulk_create

        now = timezone.now()
        who = getattr(self.user, "username", None) or "a command"
        deals, plans = [], []
        for number, key, data in rows:
            parties = [(self.company(p["name"], p["country"], False)[0], p["role"]) for p in data["parties"]]
            jv = self.company(data["joint_venture"], data["destination"], False)[0] if data["joint_venture"] else None
            amounts = [self._amount(a, data["signed_on"]) for a in data["amounts"]]
            usd = [a.usd_value for a in amounts if a.usd_value is not None]
            title = data["title"] or deal_title([c.name for c, _ in parties], jv.name if jv else None, data["kinds"])
            deal = Deal(
                title=title[:300] or "Untitled deal", signed_on=data["signed_on"],
                date_precision=data["date_precision"], lifecycle=data["lifecycle"] or _lifecycle(data["kinds"]),
                place=data["place"], destination_country=data["destination"], confidence=1, language="",
                review_status=ReviewStatus.APPROVED if self.approve else ReviewStatus.DRAFT,
                human_set_fields=["title"] if data["title"] else [], usd_total=max(usd) if usd else None,
                source_count=len(set(data["sources"])), created_at=now, updated_at=now,
            )  # fmt: skip
            if self.approve:
                deal.reviewed_by, deal.reviewed_at, deal.decided_by = self.user, now, self.decided_by
            deal._change_reason = f"imported from {self.file}, sheet {sheet or '-'}, row {number}, by {who}"[:100]
            deals.append(deal)
            plans.append((number, key, data, parties, jv, amounts))
        rows_bulk_create(Deal, deals)
        party_rows, jv_rows, kind_rows, sector_rows, amount_rows, gov_rows, source_rows, stage_rows, keys = (
            [], [], [], [], [], [], [], [], [])  # fmt: skip
        for deal, (number, key, data, parties, jv, amounts) in zip(deals, plans, strict=True):
            seen_companies = set()
            for company, role in parties:
                if company.pk not in seen_companies:
                    seen_companies.add(company.pk)
                    party_rows.append(DealParty(deal=deal, company=company, role=role))
            if jv:
                jv_rows.append((JointVenture(deal=deal, company=jv, location=data["place"]), [c for c, _ in parties]))
            kind_rows += [
                Deal.kinds.through(deal=deal, dealkind=self.kinds[k]) for k in data["kinds"] if k in self.kinds
            ]
            sector_rows += [
                Deal.sectors.through(deal=deal, sector=self._sector(name, _sector)) for name in data["sectors"]
            ]
            for a in amounts:
                a.deal = deal
                amount_rows.append(a)
            for name in data["government"]:
                body, programme = self._government(name, body_match_or_create)
                gov_rows.append(GovernmentInvolvement(deal=deal, body=body, programme=programme, role="broker"))
            source_rows += [DealSource(deal=deal, article=_source_article(ref), accepted=True)
                            for ref in dict.fromkeys(data["sources"])]  # fmt: skip
            if self.approve or data["lifecycle"]:
                stage_rows.append(DealStage(deal=deal, stage=deal.lifecycle, on=deal.signed_on, accepted=self.approve))
            keys.append(ImportedRow(key=key, file_name=self.file[:300], sheet=sheet[:100], row_number=number,
                                    imported_by=self.user, deal=deal))  # fmt: skip
        rows_bulk_create(DealParty, party_rows)
        rows_bulk_create(Amount, amount_rows)
        rows_bulk_create(GovernmentInvolvement, gov_rows)
        if jv_rows:
            rows_bulk_create(JointVenture, [j for j, _ in jv_rows])
            JointVenture.parents.through.objects.bulk_create(
                [JointVenture.parents.through(jointventure=j, company=c) for j, parents in jv_rows for c in parents],
                ignore_conflicts=True,
            )  # fmt: skip
        Deal.kinds.through.objects.bulk_create(kind_rows, ignore_conflicts=True)
        Deal.sectors.through.objects.bulk_create(sector_rows, ignore_conflicts=True)
        DealSource.objects.bulk_create(source_rows, ignore_conflicts=True)
        DealStage.objects.bulk_create(stage_rows, ignore_conflicts=True)
        ImportedRow.objects.bulk_create(keys)
        deals_refresh_counts(deal_ids=[d.pk for d in deals])  # one UPDATE for the batch
        if self.approve:
            from .selectors import choices_changed

            # Approved rows are public: /stats/ and the listing's dropdowns must not wait for their TTL.
            transaction.on_commit(choices_changed)

    def _government(self, name: str, make_body: Any) -> tuple[Any, Any]:
        """ "Body" or "Body / Programme" (a programme of that body)."""
        if name not in self.bodies:
            from .models import Programme

            body_name, _, programme_name = (p.strip() for p in name.partition(" / "))
            body = make_body(name=body_name, aliases=[], country=None)
            programme = None
            if programme_name:
                programme, _ = Programme.objects.get_or_create(name=programme_name[:200], body=body)
            self.bodies[name] = (body, programme)
        return self.bodies[name]

    def _sector(self, name: str, make: Any):
        if name not in self.sectors:
            self.sectors[name] = make(name)
        return self.sectors[name]

    @staticmethod
    def _amount(a: dict, signed_on: dt.date | None) -> Amount:
        return Amount(**amount_columns(a, signed_on))


def _source_article(ref: str):
    """A source named by the spreadsheet: its URL (not fetched) or its title."""
    from sources.models import Article, ArticleStatus, Origin

    if re.match(r"https?://", ref):
        article, _ = Article.objects.get_or_create(
            url=ref[:2000], defaults={"raw": b"", "origin": Origin.IMPORT, "status": ArticleStatus.EXTRACTED}
        )
        return article
    article = Article.objects.filter(origin=Origin.IMPORT, url__isnull=True, title=ref[:500]).first()
    return article or Article.objects.create(raw=b"", origin=Origin.IMPORT, title=ref[:500],
                                             status=ArticleStatus.EXTRACTED)  # fmt: skip
