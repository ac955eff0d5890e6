"""Spreadsheet import: the deals staff keep in Excel or CSV, written here with invented companies."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from deals.imports import field_of, import_file, unit_of
from deals.models import Company, Deal, DecidedBy, ImportedRow, ImportMapping, ReviewStatus
from deals.services import deal_approve, draft_upsert
from tests.factories import article, result

pytestmark = pytest.mark.django_db

ROWS = 10_000
NAMES = [f"Invented Maker {i} GmbH" for i in range(300)]
KO = [f"가상소재{i}" for i in range(300)]


def big_workbook(path) -> dict[int, str]:
    """10,000 rows under a merged two-row header, with one bad row of each kind; returns the
    expected reason (a word of it) per bad row number."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2024 유치 실적")
    ws.append(["거래명", "투자기업", "국가", "국내기업", "투자금액", None, "체결일", "유형"])
    ws.append([None, None, None, None, "억원", "통화", None, None])
    bad = {}
    for i in range(ROWS):
        row = [f"가상 거래 {i}", NAMES[i % 300], "독일", KO[i % 300], 3 + i % 50, "KRW",
               dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500), "합작"]  # fmt: skip
        n = i + 3  # the data starts on the third line
        if i == 100:
            row[5], bad[n] = "XYZ", "unknown currency"
        elif i == 200:
            row[6], bad[n] = "2024-02-30", "impossible date"
        elif i == 300:
            row[0] = row[1] = row[3] = None
            bad[n] = "no name"
        elif i == 400:
            row[4], bad[n] = "=B403*2", "formula"
        ws.append(row)
    wb.save(path)
    return bad


def test_a_10000_row_spreadsheet_imports_its_good_rows_reports_the_bad_and_reimports_nothing(tmp_path):
    path = tmp_path / "실적.xlsx"
    bad = big_workbook(path)
    report = import_file(path)  # time and memory: bench/import.py, docs/benchmarks.md

    refused = {number: reason for _, number, reason in report.refused}
    assert set(refused) == set(bad), refused
    for number, word in bad.items():
        assert word in refused[number], (number, refused[number])
    assert report.created == ROWS - len(bad) == Deal.objects.count()
    # matched by alias after the first of each, and a joint venture per pair of parents (the rows are 합작)
    assert Company.objects.count() == 600 + 300
    deal = Deal.objects.get(title="가상 거래 7")
    assert deal.review_status == ReviewStatus.DRAFT
    assert (deal.amounts.get().value, deal.amounts.get().currency) == (Decimal("1000000000"), "KRW")  # 10억원
    assert {p.company.country for p in deal.parties.select_related("company")} == {"DE", "KR"}
    assert "joint_venture" in {k.code for k in deal.kinds.all()}
    row = ImportedRow.objects.get(deal=deal)
    assert (row.file_name, row.sheet, row.row_number) == ("실적.xlsx", "2024 유치 실적", 10)

    counts = (Deal.objects.count(), Company.objects.count(), ImportedRow.objects.count())
    again = import_file(path)
    assert again.created == 0 and again.unchanged == ROWS - len(bad)
    assert (Deal.objects.count(), Company.objects.count(), ImportedRow.objects.count()) == counts


def test_a_dry_run_writes_nothing_and_says_what_each_row_would_do(tmp_path):
    Company.objects.create(name="Invented Optics AG", country="DE").aliases.create(
        name="Invented Optics AG", normalized="invented optics"
    )
    path = tmp_path / "deals.csv"
    path.write_text("Title,Investor,Investor country,Investee,Amount (USD m),Date\n"
                    "Optics plant,Invented Optics AG,Germany,가나다광학,12.5,2024-05-02\n"
                    "Broken,Someone,Germany,누군가,3,2024-13-01\n", encoding="utf-8")  # fmt: skip
    report = import_file(path, dry_run=True)
    assert not Deal.objects.exists() and not ImportedRow.objects.exists()
    [(_, number, plan)] = report.plans
    assert number == 2 and "Invented Optics AG (matched)" in plan and "가나다광학 (new)" in plan
    [(_, bad, reason)] = report.refused
    assert bad == 3 and "impossible date" in reason


def test_headers_are_recognised_in_korean_and_english_with_their_units():
    assert [field_of(h) for h in ["투자금액(억원)", "Signing date", "국내기업", "Investor country", "비고"]] == [
        "amounts", "signed_on", "investee", "investor_country", None]  # fmt: skip
    assert unit_of("투자금액(억원)") == ("KRW", Decimal(10) ** 8)
    assert unit_of("Amount (USD m)") == ("USD", Decimal(10) ** 6)


def test_a_mapping_given_once_is_remembered_for_the_next_file_with_the_same_headers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Title,Firma,Date\nA deal,Invented Werke AG,2024-01-02\n", encoding="utf-8")
    import_file(path, overrides={"Firma": "investor"})
    assert Deal.objects.get().parties.get().company.name == "Invented Werke AG"
    assert ImportMapping.objects.get().mapping["Firma"] == "investor"
    other = tmp_path / "b.csv"
    other.write_text("Title,Firma,Date\nB deal,Invented Bau AG,2024-02-03\n", encoding="utf-8")
    import_file(other)  # no override this time
    assert Deal.objects.get(title="B deal").parties.get().company.name == "Invented Bau AG"


def test_the_command_imports_as_approved_for_a_reviewer_and_records_who(tmp_path, capsys):
    from django.contrib.auth.models import User

    User.objects.create_user("rita")
    path = tmp_path / "a.csv"
    path.write_text("제목,투자기업,국가,국내기업,체결일,단계\n가상 합작,Invented Werke AG,독일,라마바전자,2023.7.1,체결\n",
                    encoding="utf-8")  # fmt: skip
    call_command("import_deals", str(path), "--approve", "--user", "rita")
    deal = Deal.objects.get()
    assert (deal.review_status, deal.decided_by, deal.reviewed_by.username) == (
        ReviewStatus.APPROVED, DecidedBy.IMPORT, "rita")  # fmt: skip
    assert deal.signed_on == dt.date(2023, 7, 1) and deal.lifecycle == "agreement_signed"
    assert "imported from a.csv, sheet -, row 2, by rita" in deal.history.first().history_change_reason
    assert "1 created" in capsys.readouterr().out


def test_an_export_imports_back_without_loss(client, tmp_path):
    from deals.models import GovernmentBody, GovernmentInvolvement
    from sources.models import Article

    for n, (value, currency) in enumerate([("50000000", "EUR"), ("3300000000", "KRW"), ("12000000", "USD")], 1):
        res = result(value=value, currency=currency, title=f"Invented deal {n}")
        res["deals"][0]["parties"][0]["name"] = f"Invented Robotics {n} Ltd"
        [deal] = draft_upsert(article=article(n=n), result=res)
        Article.objects.filter(pk=deal.sources.get().article_id).update(url=f"https://news.example.org/{n}")
        GovernmentInvolvement.objects.create(deal=deal, body=GovernmentBody.objects.create(name=f"가상도청 {n}"),
                                             role="broker")  # fmt: skip
        deal_approve(deal=deal, user=None)

    def download() -> bytes:
        return b"".join(client.get("/deals/?export=csv").streaming_content)

    def rows(body: bytes) -> list[dict]:
        records = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
        return sorted(({k: v for k, v in r.items() if k != "id"} for r in records), key=lambda r: r["title"])

    downloaded = download()
    first = rows(downloaded)
    assert len(first) == 3 and all(r["usd"] and r["sources"].startswith("https://") for r in first)
    path = tmp_path / "deals-export.csv"
    path.write_bytes(downloaded)  # the file an analyst downloads, as is
    Deal.objects.all().delete()

    report = import_file(path, approve=True)
    assert report.created == 3 and not report.refused, report.refused
    assert rows(download()) == first


def test_the_admin_import_shows_a_dry_run_first_and_imports_on_confirmation(client, tmp_path):
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from deals.groups import REVIEWERS

    reviewer = User.objects.create_user("rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    client.force_login(reviewer)
    body = "Title,Investor,Investee,Date\nA deal,Invented Werke AG,라마바전자,2024-01-02\nBad,,,2024-99-01\n"
    page = client.post(
        "/admin/deals/deal/import/", {"file": SimpleUploadedFile("d.csv", body.encode()), "approve": "on"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Dry run of d.csv" in html and "impossible date" in html
    assert not Deal.objects.exists()
    response = client.post("/admin/deals/deal/import/", {"confirm": "1"})
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert deal.review_status == ReviewStatus.APPROVED and deal.decided_by == DecidedBy.IMPORT
