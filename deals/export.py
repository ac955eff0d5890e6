"""CSV export of deals: the columns are defined once here and documented from this list.

Every column is a database expression, so an export is one SQL statement whatever its size.
Multi-valued cells (parties, amounts, sources ...) are kept on the deal, joined with
``STRING_AGG`` (PostgreSQL) or ``GROUP_CONCAT`` (SQLite) by the services that write their rows
(``JOINED``). Rows stream from a server-side cursor (``.iterator()``), so memory stays flat at a
million rows; the benchmark compares this with PostgreSQL's ``COPY`` of a plain table holding
the same rows (docs/benchmarks.md).
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Aggregate, CharField, F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from .models import Amount, Deal, DealParty, DealSource, GovernmentInvolvement

# A text cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
# So is one starting with any control character (LibreOffice and Excel strip some and read on).
_FORMULA_START = ("=", "+", "-", "@", *(chr(c) for c in range(32)), "\x7f")
SEPARATOR = "; "


class Joined(Aggregate):
    """The group's values as one '; '-separated text, in a stable order."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT",
                              template=f"%(function)s(%(expressions)s, '{SEPARATOR}')", **extra_context)  # fmt: skip

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        # The expression appears twice (value and order), so do its parameters.
        return f"STRING_AGG(({sql})::text, '{SEPARATOR}' ORDER BY ({sql})::text)", (*params, *params)


def _joined(model: Any, expression: Any, *, where: str = "deal", **only: Any) -> Subquery:
    rows = model.objects.filter(**{where: OuterRef("pk")}, **only).order_by().values(where)
    return Subquery(rows.annotate(v=Joined(expression)).values("v"), output_field=TextField())


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


class _Percent(Func):
    """A stake as people write it: 51, 49.5 (not 51.00). SQLite stores 51.00 as the integer 51."""

    output_field = TextField()
    template = "CAST(%(expressions)s AS TEXT)"

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="trim_scale(%(expressions)s)::text", **extra_context)


# The multi-valued columns' definition: each joins a deal's rows into one '; '-separated text.
# Computing them per deal at export time cost eight index probes a row (~14k rows/s at 1M deals);
# the services store them on the deal (``Deal.joined_*``) in the transaction that writes the rows,
# with these very expressions (``deals_refresh_counts``), so an export reads one plain table.
JOINED: dict[str, tuple[str, Subquery]] = {
    "kinds": ("Deal kinds, ';'-separated", _joined(Deal.kinds.through, F("dealkind_id"))),
    "parties": (
        "Parties: name (country, role)",
        _joined(
            DealParty,
            Concat(
                "company__name",
                Value(" ("),
                "company__country",
                Value(", "),
                "role",
                Value(")"),
                output_field=TextField(),
            ),
        ),
    ),  # fmt: skip
    "stakes": (
        "Stakes: party name (percent)",
        _joined(
            DealParty,
            Concat("company__name", Value(" ("), _Percent("stake_percent"), Value("%)"), output_field=TextField()),
            stake_percent__isnull=False,
        ),
    ),
    "amounts": (
        "Amounts in original currency",
        _joined(Amount, Concat(_text("value"), Value(" "), "currency", output_field=TextField())),
    ),
    "usd": ("Amounts in USD", _joined(Amount, _text("usd_value"))),
    "rate_dates": ("Dates of the exchange rates used", _joined(Amount, _text("usd_rate_date"))),
    "government": (
        "Government bodies and programmes",
        _joined(GovernmentInvolvement, Coalesce("programme__name", "body__name", output_field=TextField())),
    ),
    "sectors": ("Sectors", _joined(Deal.sectors.through, F("sector__name"))),
    "sources": (
        "Source article URLs (the title when an article has none)",
        _joined(
            DealSource,
            Coalesce(
                "article__url",
                NullIf("article__title", Value("")),
                Concat(Value("article:"), _text("article_id"), output_field=TextField()),
                output_field=TextField(),
            ),
            accepted=True,  # a later article waits for a reviewer before it is cited
        ),
    ),
}


def _stored(header: str) -> tuple[str, str, Any]:
    return (header, JOINED[header][0], F(f"joined_{header}"))


# (header, description, expression): one definition for the export, the API and the docs.
COLUMNS: list[tuple[str, str, Any]] = [
    ("id", "Deal id", F("id")),
    ("title", "Title", F("title")),
    _stored("kinds"),
    ("lifecycle", "Lifecycle status", F("lifecycle")),
    ("signed_on", "Signing date", F("signed_on")),
    ("date_precision", "Precision of the signing date", F("date_precision")),
    _stored("parties"),
    _stored("stakes"),
    ("joint_venture", "Joint venture created", F("joint_venture__company__name")),
    _stored("amounts"),
    _stored("usd"),
    _stored("rate_dates"),
    ("destination", "Destination country", F("destination_country")),
    _stored("government"),
    _stored("sectors"),
    _stored("sources"),
    # Read live, not stored on the deal: a reviewer links an LEI to a company, not to its deals.
    ("leis", "LEIs of the parties (GLEIF), where a reviewer linked one",
     _joined(DealParty, F("company__lei_id"), company__lei__isnull=False)),
]  # fmt: skip

# Columns that hold several values ("; "-joined in the CSV, lists in the JSON API).
MULTI_VALUED = frozenset(JOINED) | {"leis"}


def joined_values() -> dict[str, Subquery]:
    """``Deal.joined_*`` computed from the rows: for ``update()`` and for checking the stored ones."""
    return {f"joined_{header}": expression for header, (_, expression) in JOINED.items()}


def export_dicts(deals: QuerySet[Deal]) -> QuerySet:
    """The same columns as dicts keyed ``col_<header>`` (the JSON API): still one SELECT."""
    annotated = (
        deals.prefetch_related(None)
        .select_related(None)
        .annotate(**{f"col_{header}": expression for header, _, expression in COLUMNS})
    )
    return annotated.values(*(f"col_{header}" for header, _, _ in COLUMNS))


def export_queryset(deals: QuerySet[Deal]) -> QuerySet:
    """The deals as rows of the export columns: one SELECT, no prefetching."""
    annotated = (
        deals.prefetch_related(None)
        .select_related(None)
        .annotate(**{f"col_{header}": expression for header, _, expression in COLUMNS})
    )
    return annotated.values_list(*(f"col_{header}" for header, _, _ in COLUMNS))


class _Neutralized(Func):
    """``neutralize`` in SQL, for the COPY path: a leading formula character gets a quote."""

    output_field = TextField()
    # One ascii() of the first character, looked up in a list of constants, rather than a regular
    # expression: cheaper per cell. ascii('') is 0, which is not in the list: an empty cell stays.
    template = (
        "CASE WHEN ascii(%(e)s) IN ("
        + ", ".join(str(ord(c)) for c in _FORMULA_START if ord(c))
        + ") THEN '''' || %(e)s ELSE %(e)s END"
    )

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return self.template % {"e": f"({sql})"}, params * 3


# Columns whose cells can never start with a formula character, so the SQL guard skips them:
# numbers and dates, and text the database constrains (choices; amounts > 0 and their dates).
_NEVER_A_FORMULA = frozenset({"id", "signed_on", "lifecycle", "date_precision", "amounts", "usd", "rate_dates",
                              "leis"})  # fmt: skip
COPY_BLOCK = 64 * 1024
EXPORT_WORK_MEM = "128MB"


def copy_blocks(deals: QuerySet[Deal], connection: Any, *, bom: bool = False) -> Iterator[bytes]:
    """The CSV, header first, from PostgreSQL's own ``COPY ... TO STDOUT``: rows leave the
    database already written as CSV (same cells as ``csv_rows``), in blocks of about 64 KB."""
    annotated = (
        deals.prefetch_related(None)
        .select_related(None)
        .annotate(**{f"col_{h}": e if h in _NEVER_A_FORMULA else _Neutralized(e) for h, _, e in COLUMNS})
    )
    sql, params = annotated.values_list(*(f"col_{h}" for h, _, _ in COLUMNS)).query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    yield (("\ufeff" if bom else "") + next(csv_rows([]))).encode()
    with connection.cursor() as cursor:
        if connection.queries_logged:  # assertNumQueries and the debug toolbar see the COPY too
            connection.queries_log.append({"sql": statement, "time": "0.000"})
        buffer: list[bytes] = []
        size = 0
        # The sort by date of every approved deal spilled to disk with the default 4 MB (at a
        # million deals, 160 MB in three merge runs); JIT spent ~100 ms compiling the formula guards
        # of a query that reads each row once. This session's settings, put back after.
        cursor.execute(f"SET work_mem = '{EXPORT_WORK_MEM}'")
        cursor.execute("SET jit = off")
        try:
            with cursor.cursor.copy(statement, params) as copy:
                for row in copy:  # one row a read: memoryviews, joined without a copy each
                    buffer.append(row)
                    size += len(row)
                    if size >= COPY_BLOCK:
                        yield b"".join(buffer)
                        buffer, size = [], 0
        finally:
            cursor.execute("RESET work_mem")
            cursor.execute("RESET jit")
        if buffer:
            yield b"".join(buffer)


def neutralize(value: Any) -> Any:
    """Make a text cell safe for spreadsheets; numbers and dates are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(rows: Iterable[tuple], *, bom: bool = False) -> Iterator[str]:
    """Yield CSV lines for export rows (``export_queryset``), the header first."""
    writer = csv.writer(_Echo(), lineterminator="\n")  # as PostgreSQL's COPY writes them
    if bom:
        yield "\ufeff"
    yield writer.writerow([c[0] for c in COLUMNS])
    for row in rows:
        yield writer.writerow([neutralize(v) for v in row])
