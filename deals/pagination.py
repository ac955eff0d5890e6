"""A paginator that never counts a million rows.

``COUNT(*)`` over every approved deal costs more than the page itself (FIELD-NOTES: 48–69 ms on
1M rows; 210 ms for a country filter at 1M, measured in docs/benchmarks.md). So PostgreSQL's
planner estimate for the same query comes first (EXPLAIN, under a millisecond); only when it
says the result is small (≤ ``EXACT_LIMIT``) and cheap to produce (≤ ``COUNT_COST_LIMIT``) is
the count made exact, bounded by ``LIMIT EXACT_LIMIT + 1``. Other counts are shown as "about".
"""

import time

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.functional import cached_property

# Above this planner cost, producing every match (to count it) takes tens of milliseconds: at
# 300k deals a country pair with 8,800 matches cost 29,900 units and 285 ms to count, because
# the join reads every party of those countries. Such counts are shown as estimates.
COUNT_COST_LIMIT = 3_000


def planner_plan(queryset) -> tuple[int, float]:
    """PostgreSQL's estimate of the rows a queryset returns and of the cost of producing them all
    (EXPLAIN, no execution)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]["Plan"]
        return int(plan["Plan Rows"]), float(plan["Total Cost"])


def planner_estimate(queryset) -> int:
    """PostgreSQL's estimate of the rows a queryset returns (EXPLAIN, no execution)."""
    return planner_plan(queryset)[0]


_REMEMBERED: dict[str, tuple[float, int]] = {}
ESTIMATE_SECONDS = 300


def _remembered(key: str, compute) -> int:
    """``compute()`` kept five minutes per process: sizes that move slowly, asked on every search."""
    at, rows = _REMEMBERED.get(key, (0.0, 0))
    if time.monotonic() - at > ESTIMATE_SECONDS:
        rows = compute()
        if len(_REMEMBERED) > 1000:
            _REMEMBERED.clear()  # the admin's filter combinations are many: bounded, not a leak
        _REMEMBERED[key] = (time.monotonic(), rows)
    return rows


def table_estimate(model) -> int:
    """The rows of a model's table as the planner knows them (``pg_class.reltuples``, kept by
    autovacuum): a scale to compare estimates with, which an EXPLAIN of the whole table
    recomputed on every search (docs/benchmarks.md)."""
    table = model._meta.db_table

    def rows() -> int:
        if connection.vendor != "postgresql":
            return max(model._default_manager.count(), 1)
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
            found = int(cur.fetchone()[0])
        if found < 0:  # never analysed: the planner's own guess for the table
            found = planner_estimate(model._default_manager.all())
        return max(found, 1)

    return _remembered(table, rows)


def cached_estimate(queryset) -> int:
    """``planner_estimate`` of a query that filters by plain columns (the approved deals)."""
    sql, params = queryset.query.sql_with_params()
    return _remembered(sql + repr(params), lambda: planner_estimate(queryset))


def mark_estimate(queryset, rows: int, *, small: bool):
    """Tell the paginator what the planner already estimated for this result (a search): it need
    not ask EXPLAIN again. A ``small`` result (a name: an ``IN`` of at most a few thousand ids) has
    its ids fetched at once whatever filters follow, as they only narrow it. A large estimate
    stands as the count while no later filter has changed the query. Anything else goes through
    EXPLAIN and its cost limit as before: a per-row search whose ids were all fetched because its
    estimate looked small took 1.86 s at 100k. Kept on the query, which every later filter copies."""
    queryset.query.search_estimate = (rows, len(queryset.query.where.children), small)
    return queryset


class EstimatedCountPaginator(Paginator):
    EXACT_LIMIT = 10_000
    is_estimate = False

    @cached_property
    def count(self) -> int:
        unordered = self.object_list.order_by()
        query = self.object_list.query
        hint = getattr(query, "search_estimate", None) if self.fetch is not None else None
        few = hint is not None and hint[2] and hint[0] <= self.EXACT_LIMIT
        if hint is not None and hint[0] > self.EXACT_LIMIT and hint[1] == len(query.where.children):
            self.is_estimate = True
            return hint[0]
        if connection.vendor == "postgresql" and not few:
            estimate, cost = planner_plan(unordered)
            if estimate > self.EXACT_LIMIT or cost > COUNT_COST_LIMIT:
                self.is_estimate = True
                return estimate
        if self.fetch is not None:
            # A small result's ids, in order, once: their number is the count and a page is their
            # slice. A count and then a page query each probed every match (a programme's 5,000
            # deals at a million: 20 ms each).
            ids = list(self.object_list.values_list("pk", flat=True)[: self.EXACT_LIMIT + 1])
            if len(ids) > self.EXACT_LIMIT:
                self.is_estimate = True
            else:
                self._ids = ids
            return len(ids)
        bounded = unordered[: self.EXACT_LIMIT + 1].count()
        if bounded > self.EXACT_LIMIT:
            self.is_estimate = True
        return bounded

    def __init__(self, object_list, per_page, *args, fetch=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.fetch = fetch
        self._ids: list[int] | None = None

    def page(self, number) -> Page:
        """With ``fetch`` (ids -> queryset of those rows), a "deferred join": the page's ids first,
        from the sort index alone (an index-only scan skips the rows before the offset without
        reading them), then just those rows, fetched and prefetched by ``fetch`` without the
        filters being evaluated again."""
        if self.fetch is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self._ids is not None:
            ids = self._ids[bottom : bottom + self.per_page]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        position = {pk: i for i, pk in enumerate(ids)}
        rows = sorted(self.fetch(ids), key=lambda obj: position[obj.pk])
        return self._get_page(rows, number, self)
