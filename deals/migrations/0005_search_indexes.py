"""PostgreSQL-only search indexes (the embedded SQLite default has no GIN).

Each serves one branch of ``DealFilterSet.search`` (``id IN (words UNION title UNION alias)``):
- the full-text index matches Django's ``SearchVector("title", "summary", config="simple")``
  expression exactly, or PostgreSQL would not use it;
- the trigram indexes serve ``icontains`` (``UPPER(col::text) LIKE UPPER('%...%')``) on deal
  titles and on company aliases, in any script, for patterns of three characters or more.
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS deal_search_simple_gin ON deals_deal USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, '')))",
    "CREATE INDEX IF NOT EXISTS deal_title_trgm ON deals_deal USING gin (UPPER(title::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS companyalias_name_trgm ON deals_companyalias USING gin (UPPER(name::text) gin_trgm_ops)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in INDEXES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("deal_search_simple_gin", "deal_title_trgm", "companyalias_name_trgm"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("deals", "0004_company_country_index")]
    operations = [migrations.RunPython(forwards, backwards)]
