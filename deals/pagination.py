"""A paginator that never counts a million rows.

``COUNT(*)`` over every approved deal costs more than the page itself (FIELD-NOTES: 48–69 ms on
1M rows; 210 ms for a country filter at 1M, measured in docs/benchmarks.md). So PostgreSQL's
planner estimate for the same query comes first (EXPLAIN, under a millisecond); only when it
says the result is small (≤ ``EXACT_LIMIT``) and cheap to produce (≤ ``COUNT_COST_LIMIT``) is
the count made exact, bounded by ``LIMIT EXACT_LIMIT + 1``. Other counts are shown as "about".
"""

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


class EstimatedCountPaginator(Paginator):
    EXACT_LIMIT = 10_000
    is_estimate = False

    @cached_property
    def count(self) -> int:
        unordered = self.object_list.order_by()
        if connection.vendor == "postgresql":
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
