"""Readers of the bulk files people download: each yields one ``Entry`` at a time (bounded memory)
and raises ``LoadError`` naming the line on anything malformed or cut short, so that a load that
meets one refuses the whole file (the service's transaction rolls back).

- OpenSanctions' simple CSV (``targets.simple.csv``): a header row; multiple values ';'-separated.
- FollowTheMoney entities, one JSON object a line (``entities.ftm.json``): ``id``, ``schema``,
  ``properties`` {name, alias, country, ...}; ``Sanction`` entities carry the programmes of the
  entity they name. Parsed directly: the ``followthemoney`` package would add 26 packages
  (networkx, rdflib, pyicu, SQLAlchemy, mypy ...) for what is plain JSON.
- OFAC's SDN CSV (``sdn.csv``): no header, 12 columns, ``-0-`` for empty, an end-of-file ``\\x1a``.
- The GLEIF LEI golden copy, level 1 CSV (``LEI``, ``Entity.LegalName``, ...).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

csv.field_size_limit(16 * 1024 * 1024)


class LoadError(Exception):
    """A file that cannot be loaded as a whole; the message says where and why."""


@dataclass
class Entry:
    external_id: str
    schema: str
    caption: str
    names: list[str]
    countries: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None

    def content_hash(self) -> str:
        data = [self.schema, self.caption, sorted(self.names), sorted(self.countries), sorted(self.identifiers),
                sorted(self.programmes)]  # fmt: skip
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Registered:
    lei: str
    legal_name: str
    other_names: list[str]
    jurisdiction: str
    country: str
    address: str
    status: str
    registration_status: str


class Counted(io.RawIOBase):
    """A binary stream that counts and hashes what is read through it, and remembers its last byte
    (a file that does not end with a line break was cut short)."""

    def __init__(self, raw: BinaryIO, progress=None):
        self.raw, self.progress = raw, progress
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.last = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self.sha256.update(data)
            self.size += n
            self.last = data[-1:]
            if self.progress is not None:
                self.progress.update(n)
        return n


def _text(stream: Counted) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BufferedReader(stream, 1 << 16), encoding="utf-8-sig", errors="strict", newline="")


def _ends_cleanly(stream: Counted, what: str) -> None:
    if stream.size and stream.last not in (b"\n", b"\r", b"\x1a"):
        raise LoadError(f"{what} does not end with a line break: it looks truncated. Nothing was loaded.")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _date(value: str | None, where: str) -> dt.date | None:
    value = (value or "").strip()[:10]
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LoadError(f"{where}: {value!r} is not a date (YYYY-MM-DD).") from None


def _rows(stream: Counted, what: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_text(stream), strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise LoadError(f"{what}, line {reader.line_num}: {exc} (a malformed or truncated file).") from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"{what}: not UTF-8 ({exc.reason} at byte {exc.start}).") from None


SIMPLE_REQUIRED = ("id", "schema", "name")


def read_opensanctions_csv(stream: Counted) -> Iterator[Entry]:
    what = "OpenSanctions CSV"
    rows = _rows(stream, what)
    first = next(rows, None)
    if first is None:
        raise LoadError(f"{what}: the file is empty.")
    header = [h.strip().lower() for h in first[1]]
    missing = [c for c in SIMPLE_REQUIRED if c not in header]
    if missing:
        raise LoadError(f"{what}: the header lacks {', '.join(missing)} (found: {', '.join(header[:20])}).")
    col = {h: i for i, h in enumerate(header)}
    for line, row in rows:
        if len(row) != len(header):
            raise LoadError(f"{what}, line {line}: {len(row)} fields where the header has {len(header)} "
                            "(a malformed or truncated file).")  # fmt: skip

        def get(name: str, row: list[str] = row) -> str:
            return row[col[name]] if name in col else ""

        external_id, name = get("id").strip(), get("name").strip()
        if not external_id or not name:
            raise LoadError(f"{what}, line {line}: an entity without an id or a name.")
        programmes = _split(get("program_ids")) or _split(get("sanctions"))
        yield Entry(
            external_id=external_id, schema=get("schema").strip(), caption=name,
            names=list(dict.fromkeys([name, *_split(get("aliases"))])),
            countries=[c.lower() for c in _split(get("countries"))], identifiers=_split(get("identifiers")),
            programmes=programmes, first_seen=_date(get("first_seen"), f"{what}, line {line}"),
            last_seen=_date(get("last_seen"), f"{what}, line {line}"),
        )  # fmt: skip
    _ends_cleanly(stream, what)


# Schemata that are things a deal's party could be; edges (Ownership, Directorship ...), addresses
# and the like name no one and are skipped.
FTM_THINGS = frozenset({"Company", "Organization", "LegalEntity", "PublicBody", "Person", "Vessel", "Airplane"})
_FTM_IDENTIFIERS = ("registrationNumber", "innCode", "ogrnCode", "leiCode", "taxNumber", "swiftBic", "imoNumber",
                    "idNumber", "okpoCode", "uniqueEntityId")  # fmt: skip


def read_ftm_jsonl(stream: Counted, programmes_out: dict[str, list[str]]) -> Iterator[Entry]:
    """Entities of FTM_THINGS; the programmes of ``Sanction`` entities go to ``programmes_out``
    (keyed by the sanctioned entity's id) for the caller to attach once every line is read."""
    what = "FollowTheMoney JSON lines"
    line = 0
    try:
        for line, raw in enumerate(_text(stream), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise LoadError(f"{what}, line {line}: not JSON ({exc.msg}); a malformed or truncated file.") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("properties", {}), dict):
                raise LoadError(f"{what}, line {line}: not an entity object.")
            schema, props = str(obj.get("schema") or ""), obj.get("properties") or {}
            if schema == "Sanction":
                for target in props.get("entity") or []:
                    found = programmes_out.setdefault(str(target), [])
                    for p in (props.get("programId") or []) + (props.get("program") or []):
                        if p not in found:
                            found.append(str(p))
                continue
            if schema not in FTM_THINGS:
                continue
            external_id = str(obj.get("id") or "").strip()
            names = [str(n).strip() for n in (props.get("name") or []) + (props.get("alias") or [])
                     + (props.get("previousName") or []) + (props.get("weakAlias") or []) if str(n).strip()]  # fmt: skip
            caption = str(obj.get("caption") or (names[0] if names else "")).strip()
            if not external_id or not caption:
                raise LoadError(f"{what}, line {line}: an entity without an id or a name.")
            countries = [str(c).lower() for k in ("country", "jurisdiction", "nationality", "mainCountry")
                         for c in props.get(k) or []]  # fmt: skip
            identifiers = [f"{k}: {v}" for k in _FTM_IDENTIFIERS for v in props.get(k) or []]
            yield Entry(
                external_id=external_id, schema=schema, caption=caption,
                names=list(dict.fromkeys([caption, *names])), countries=list(dict.fromkeys(countries)),
                identifiers=identifiers, programmes=[],  # from the Sanction entities naming it
                first_seen=_date(obj.get("first_seen"), f"{what}, line {line}"),
                last_seen=_date(obj.get("last_seen"), f"{what}, line {line}"),
            )  # fmt: skip
    except UnicodeDecodeError as exc:
        raise LoadError(f"{what}, after line {line}: not UTF-8 ({exc.reason}).") from None
    _ends_cleanly(stream, what)


_AKA = re.compile(r"a\.k\.a\.,?\s+'([^']+)'", re.I)
SDN_COLUMNS = 12


def read_ofac_sdn_csv(stream: Counted) -> Iterator[Entry]:
    what = "OFAC SDN CSV"
    for line, row in _rows(stream, what):
        if row in ([], ["\x1a"]):  # OFAC ends its CSV files with a DOS end-of-file character
            continue
        if len(row) != SDN_COLUMNS:
            raise LoadError(f"{what}, line {line}: {len(row)} fields where sdn.csv has {SDN_COLUMNS} "
                            "(a malformed or truncated file).")  # fmt: skip
        cells = ["" if c.strip() == "-0-" else c.strip() for c in row]
        ent_num, name, kind, program, remarks = cells[0], cells[1], cells[2], cells[3], cells[11]
        if not ent_num.isdigit() or not name:
            raise LoadError(f"{what}, line {line}: {ent_num!r} is not an SDN entry number, or the name is empty.")
        yield Entry(
            external_id=ent_num, schema=kind.title() or "Entity", caption=name,
            names=list(dict.fromkeys([name, *_AKA.findall(remarks)])),
            programmes=[p.strip(" []") for p in program.split("] [") if p.strip(" []")],
            countries=[cells[9].lower()[:2]] if len(cells[9]) == 2 else [],
        )  # fmt: skip
    _ends_cleanly(stream, what)


READERS = {"opensanctions-csv": read_opensanctions_csv, "ofac-sdn-csv": read_ofac_sdn_csv}

_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")


def read_gleif_csv(stream: Counted) -> Iterator[Registered]:
    what = "GLEIF LEI CSV"
    rows = _rows(stream, what)
    first = next(rows, None)
    if first is None:
        raise LoadError(f"{what}: the file is empty.")
    header = [h.strip() for h in first[1]]
    col = {h: i for i, h in enumerate(header)}
    if "LEI" not in col or "Entity.LegalName" not in col:
        raise LoadError(f"{what}: the header lacks LEI or Entity.LegalName (found: {', '.join(header[:8])} ...).")
    # Other names are numbered columns (Entity.OtherEntityNames.OtherEntityName.1 ...); their
    # language and type attributes are columns of their own, skipped.
    other = [
        i
        for h, i in col.items()
        if re.fullmatch(r"Entity\.(?:Transliterated)?OtherEntityNames\.(?:Transliterated)?OtherEntityName\.\d+", h)
    ]
    address = [col[h] for h in ("Entity.LegalAddress.FirstAddressLine", "Entity.LegalAddress.AdditionalAddressLine.1",
                                "Entity.LegalAddress.City", "Entity.LegalAddress.Region",
                                "Entity.LegalAddress.PostalCode", "Entity.LegalAddress.Country") if h in col]  # fmt: skip

    def get(row: list[str], name: str) -> str:
        return row[col[name]].strip() if name in col else ""

    for line, row in rows:
        if len(row) != len(header):
            raise LoadError(f"{what}, line {line}: {len(row)} fields where the header has {len(header)} "
                            "(a malformed or truncated file).")  # fmt: skip
        lei, name = get(row, "LEI").upper(), get(row, "Entity.LegalName")
        if not _LEI.match(lei) or not name:
            raise LoadError(f"{what}, line {line}: {lei!r} is not an LEI, or the legal name is empty.")
        yield Registered(
            lei=lei, legal_name=name, other_names=[row[i].strip() for i in other if row[i].strip()],
            jurisdiction=get(row, "Entity.LegalJurisdiction"), country=get(row, "Entity.LegalAddress.Country")[:2],
            address=", ".join(row[i].strip() for i in address if row[i].strip()),
            status=get(row, "Entity.EntityStatus"), registration_status=get(row, "Registration.RegistrationStatus"),
        )  # fmt: skip
    _ends_cleanly(stream, what)
