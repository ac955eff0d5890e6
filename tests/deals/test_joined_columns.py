"""The multi-valued export columns stored on the deal: same values as computing them per row, and
in agreement with the rows after every service and admin edit that writes those rows."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from deals.export import COLUMNS, JOINED, copy_blocks, csv_rows, export_queryset
from deals.imports import import_file
from deals.models import JOINED_FIELDS, Company, Deal, DealParty, DealSource, GovernmentInvolvement, ReviewStatus
from deals.services import (
    body_match_or_create,
    body_merge,
    company_match_or_create,
    company_merge,
    deal_approve,
    deal_merge,
    deal_source_refuse,
    deals_joined_stale,
    deals_refresh_counts,
    draft_upsert,
)
from tests.deals.test_review import _change_form_data, staff
from tests.factories import article, result

pytestmark = pytest.mark.django_db


def old_export(deals):
    """The export as it was defined before the columns were stored: a correlated subquery per
    multi-valued cell, computed from the rows at export time."""
    per_row = {f"col_{h}": JOINED[h][1] if h in JOINED else expression for h, _, expression in COLUMNS}
    return list(deals.annotate(**per_row).values_list(*per_row).order_by("-signed_on", "-id"))


@pytest.fixture
def reviewer():
    return staff("rita", "reviewers")


@pytest.fixture
def varied(tmp_path, reviewer):
    """Deals made every way the product makes them: extraction, review, merge, import."""
    a = draft_upsert(article=article(n=1), result=result())[0]
    second = result(value="7000000000", currency="KRW", title="B")
    second["deals"][0]["parties"][0]["name"] = "Invented Pumps Oy"
    second["deals"][0]["sectors"] = ["machinery"]
    b = draft_upsert(article=article(n=2), result=second)[0]
    other = result(title="C")
    other["deals"][0]["parties"][0]["name"] = "Invented Optics SAS"
    other["deals"][0]["government"] = [{"name": "Invented Province", "aliases": [], "country": "KR"}]
    c = draft_upsert(article=article(n=3), result=other)[0]
    deal_approve(deal=a, user=reviewer)
    deal_merge(survivor=a, other=b, user=reviewer)
    path = tmp_path / "deals.csv"
    path.write_text("Title,Investor,Investor country,Investee,Amount (USD m),Date,Sector\n"
                    "Imported,Invented Werke AG,DE,가상소재,12.5,2024-05-06,batteries\n", encoding="utf-8")  # fmt: skip
    import_file(path, approve=True, user=reviewer)
    return [a, c]


def test_the_stored_columns_export_exactly_what_the_per_row_definition_did(varied):
    rows = list(export_queryset(Deal.objects.order_by("-signed_on", "-id")))
    assert len(rows) == Deal.objects.count() == 4
    assert rows == old_export(Deal.objects.all())
    at = {h: i for i, (h, _, _) in enumerate(COLUMNS)}
    assert any(r[at["parties"]] and r[at["amounts"]] and r[at["usd"]] and r[at["sources"]] for r in rows)


def test_the_model_stores_one_column_per_joined_export_column():
    assert JOINED_FIELDS == [f"joined_{header}" for header in JOINED]


def test_the_columns_agree_with_the_rows_after_every_service(varied, reviewer, client):
    a, c = varied
    assert deals_joined_stale() == []
    company_merge(survivor=Company.objects.get(name="Invented Optics SAS"),
                  others=[Company.objects.get(name="Invented Robotics Ltd")])  # fmt: skip
    assert deals_joined_stale() == []
    province = GovernmentInvolvement.objects.get(deal=c).body
    other_body = body_match_or_create(name="인벤티드도", aliases=[], country="KR")
    body_merge(survivor=other_body, others=[province])
    assert deals_joined_stale() == []
    later = draft_upsert(article=article(n=4), result=result(value="1"))[0]
    assert deals_joined_stale() == []
    if later.pk == a.pk:  # the later article is a pending source of the approved deal
        deal_source_refuse(source=DealSource.objects.get(deal=a, accepted=False), user=reviewer)
        assert deals_joined_stale() == []


def test_the_columns_follow_an_edit_in_the_admin(varied, reviewer, client):
    _, draft = varied
    client.force_login(reviewer)
    url, data = _change_form_data(client, draft)
    index = next(k.split("-")[1] for k, v in data.items() if k.startswith("parties-") and k.endswith("-id"))
    data[f"parties-{index}-DELETE"] = "on"
    data["amounts-0-value"] = "61000000"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    draft.refresh_from_db()
    assert "61000000" in draft.joined_amounts
    assert draft.joined_parties.count("(") == 1
    assert deals_joined_stale() == []


def test_renaming_a_company_in_the_admin_renames_it_in_its_deals_columns(varied, client):
    admin = staff("ada", "reviewers")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    company = Company.objects.get(name="가나다전자")
    page = client.get(f"/admin/deals/company/{company.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for i, f in enumerate(fs.forms):
            data.update({f"{fs.prefix}-{i}-{n}": getattr(v, "pk", v) for n, v in f.initial.items() if v is not None})
            data[f"{fs.prefix}-{i}-id"] = f.instance.pk
    data["name"] = "가나다전자 (renamed)"
    response = client.post(f"/admin/deals/company/{company.pk}/change/", data)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    assert Deal.objects.filter(joined_parties__contains="가나다전자 (renamed)").count() >= 2
    assert deals_joined_stale() == []


def test_the_check_command_finds_a_write_that_skipped_the_services_and_refresh_repairs_it(varied):
    _, draft = varied
    DealParty.objects.create(deal=draft, company=company_match_or_create(name="Invented Late AG", aliases=[],
                                                                         country="AT"), role="investor")  # fmt: skip
    assert deals_joined_stale() == [draft.pk]
    with pytest.raises(CommandError, match="1 of 4 deals disagree"):
        call_command("deal_columns", "--check")
    call_command("deal_columns", "--refresh")
    call_command("deal_columns", "--check")
    assert "Invented Late AG" in Deal.objects.get(pk=draft.pk).joined_parties


def test_source_counts_and_totals_are_recomputed_with_the_columns(varied):
    a, _ = varied
    deal = Deal.objects.get(pk=a.pk)
    assert deal.review_status == ReviewStatus.APPROVED
    assert deal.source_count == DealSource.objects.filter(deal=a, accepted=True).count() == 2
    assert Deal.objects.filter(pk=a.pk, usd_total=F("usd_total")).exists() and deal.usd_total


def test_postgresql_copy_writes_the_same_cells_as_the_python_writer(varied, postgres):
    """The view streams PostgreSQL's COPY on PostgreSQL and Python's csv writer on SQLite."""
    deal = Deal.objects.filter(review_status=ReviewStatus.APPROVED).first()
    Deal.objects.filter(pk=deal.pk).update(title="=cmd|' /C calc'!A0", place="x", destination_country="")
    for i, text in enumerate(["-2+3", "@SUM(A1)", "\tTabbed", "plain, with comma", 'say "hi"\nnext line', ""]):
        other = Deal.objects.create(title=text, review_status=ReviewStatus.APPROVED, summary=str(i))
        deals_refresh_counts(deal_ids=[other.pk])
    deals = Deal.objects.filter(review_status=ReviewStatus.APPROVED).order_by("-signed_on", "-id")
    by_copy = b"".join(copy_blocks(deals, connection, bom=True)).decode()
    by_python = "".join(csv_rows(export_queryset(deals).iterator(), bom=True))
    assert by_copy.startswith("\ufeffid,title,")
    assert list(csv.reader(io.StringIO(by_copy))) == list(csv.reader(io.StringIO(by_python)))
    assert "'=cmd" in by_copy and "'-2+3" in by_copy and "'@SUM" in by_copy and "'\tTabbed" in by_copy
