"""The review door holds under races and later articles (issue 26, items 1, 2, 11-13): a worker
never writes a decided deal nor a shared company's country, a reviewer's decision is never undone by
a worker finishing after it, pending articles move no public timestamp, the API's 404 tells drafts
from nothing, and people's writes outside a review decision refresh the public caches too."""

import csv
import io
import queue
import re
import threading
import time
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction

from deals.models import (
    Company,
    CountryProposal,
    Deal,
    DealSource,
    GovernmentBody,
    GovernmentInvolvement,
    ProposalStatus,
    ReviewStatus,
    Sector,
)
from deals.services import deal_approve, deal_reject, deal_source_accept, draft_upsert
from tests.deals.test_views import make_deal
from tests.factories import TEXT, article, result

ATOM = "{http://www.w3.org/2005/Atom}"
LATER = TEXT.replace("€50m", "€80m") + " Invented Robotics, also known as Erfundene Robotik GmbH, confirmed."


def _first_result() -> dict:
    """The first report: it does not say where Invented Robotics is from."""
    r = result()
    r["deals"][0]["parties"][0]["country"] = ""
    return r


def _later_result() -> dict:
    """A later report of the same deal that says Invented Robotics is German."""
    r = result(value="80000000", title="A title from the unreviewed article")
    r["deals"][0]["parties"][0]["aliases"] = ["Erfundene Robotik GmbH"]
    return r


def _approved_deal(user, first: dict | None = None) -> Deal:
    (deal,) = draft_upsert(article=article(), result=first or _first_result())
    return deal_approve(deal=deal, user=user)


def _body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def _public_country_views(client, deal: Deal, company: Company) -> dict:
    """Everything public that shows Invented Robotics' country."""
    export = _body(client.get("/deals/", {"export": "csv"}))
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    stats = client.get("/stats/").content.decode()
    return {
        "company page": "Germany" in client.get(f"/companies/{company.pk}/").content.decode(),
        "deal page": "Germany" in client.get(f"/deals/{deal.pk}/").content.decode(),
        "csv": "Invented Robotics Ltd (DE," in rows[0]["parties"],
        "api list": any("(DE," in p for p in client.get("/api/deals/").json()["results"][0]["parties"]),
        "api company": client.get(f"/api/companies/{company.pk}/").json()["country"] == "DE",
        "country filter": f'href="/deals/{deal.pk}/"' in client.get("/deals/", {"investor_country": "DE"}).content.decode(),
        "api country filter": bool(client.get("/api/deals/", {"investor_country": "DE"}).json()["results"]),
        "stats map": re.search(r'data-country="DE" data-deals="[1-9]', stats) is not None,
    }  # fmt: skip


@pytest.mark.django_db
def test_a_pending_later_article_does_not_give_a_public_company_its_country_until_accepted(
    client, django_capture_on_commit_callbacks
):
    user = User.objects.create_user("reviewer")
    deal = _approved_deal(user)
    company = Company.objects.get(name="Invented Robotics Ltd")
    assert not company.country
    later = article(LATER, n=2)
    (again,) = draft_upsert(article=later, result=_later_result())
    assert again.pk == deal.pk
    company.refresh_from_db()
    assert not company.country  # proposed, not written
    assert CountryProposal.objects.get(company=company, article=later).status == ProposalStatus.PENDING
    assert not any(_public_country_views(client, deal, company).values())
    # The reviewer sees what accepting the article will make public.
    client.force_login(User.objects.create_superuser("admin", password="pw-for-test-only"))
    review_page = client.get(f"/admin/deals/deal/{deal.pk}/change/").content.decode()
    assert "Countries the articles give" in review_page and "Invented Robotics Ltd → Germany" in review_page
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):  # the decision's cache invalidation
        deal_source_accept(source=DealSource.objects.get(deal=deal, article=later), user=user)
    company.refresh_from_db()
    assert company.country == "DE"
    assert CountryProposal.objects.get(company=company, article=later).status == ProposalStatus.ACCEPTED
    # The same views see it once a reviewer accepted the article: the checks above could fail.
    assert all(_public_country_views(client, deal, company).values())


@pytest.mark.django_db
def test_a_draft_article_proposes_a_country_that_approving_its_draft_applies(client):
    user = User.objects.create_user("reviewer")
    deal = _approved_deal(user)
    company = Company.objects.get(name="Invented Robotics Ltd")
    other = result(title="Invented Robotics licenses to Invented Partner Oy")
    item = other["deals"][0]
    item["kinds"], item["date"], item["amounts"], item["evidence"] = ["licensing"], "2021-06-01", [], []
    item["parties"][1] = {"name": "Invented Partner Oy", "aliases": [], "country": "FI", "role": "licensee"}
    (draft,) = draft_upsert(article=article(TEXT + " Licence.", n=3), result=other)
    assert draft.pk != deal.pk and draft.review_status == ReviewStatus.DRAFT
    company.refresh_from_db()
    assert not company.country
    assert "Germany" not in client.get(f"/companies/{company.pk}/").content.decode()
    deal_approve(deal=draft, user=user)
    company.refresh_from_db()
    assert company.country == "DE"
    deal.refresh_from_db()
    assert "Invented Robotics Ltd (DE," in deal.joined_parties  # the other deals naming it follow


@pytest.mark.django_db
def test_a_pending_later_article_leaves_the_deal_row_its_history_and_the_feed_alone(client):
    user = User.objects.create_user("reviewer")
    deal = _approved_deal(user, first=result())
    before = Deal.objects.get(pk=deal.pk)
    history = deal.history.count()
    feed = client.get("/deals/feed/").content
    draft_upsert(article=article(LATER, n=2), result=_later_result())
    after = Deal.objects.get(pk=deal.pk)
    assert after.updated_at == before.updated_at
    assert deal.history.count() == history  # no "approved (extractor)" row after the reviewer's
    assert client.get("/deals/feed/").content == feed

    def updated(body: bytes) -> str:
        return ET.fromstring(body).find(f"{ATOM}entry/{ATOM}updated").text

    deal_source_accept(source=DealSource.objects.get(deal=deal, article__content_hash=f"{2:064x}"), user=user)
    assert updated(client.get("/deals/feed/").content) > updated(feed)  # an accepted change does move it


@pytest.mark.django_db
def test_the_api_answers_a_draft_only_company_programme_or_deal_exactly_as_an_unknown_id(client):
    (draft,) = draft_upsert(article=article(), result=result())
    company = draft.parties.first().company
    body = GovernmentBody.objects.create(name="Invented Province")
    programme = body.programmes.create(name="Invented Partnering Programme")
    GovernmentInvolvement.objects.create(deal=draft, body=body, programme=programme)
    unknown = 10**9
    for kind, known in (("companies", company.pk), ("programmes", programme.pk), ("deals", draft.pk)):
        drafted, missing = client.get(f"/api/{kind}/{known}/"), client.get(f"/api/{kind}/{unknown}/")
        assert drafted.status_code == missing.status_code == 404, kind
        assert drafted.content == missing.content, kind
        assert drafted["Content-Type"] == missing["Content-Type"], kind


def _year_counts(client) -> dict:
    charts = client.get("/stats/").context["data"]["charts"]
    return {r["label"]: r["count"] for r in next(c for c in charts if c["id"] == "year-count")["svg"]["rows"]}


@pytest.mark.django_db
def test_an_approving_import_shows_on_the_stats_page_at_once(client, tmp_path, django_capture_on_commit_callbacks):
    User.objects.create_user("rita")
    make_deal("Invented earlier deal")
    assert _year_counts(client) == {"2024": 1}  # now cached
    path = tmp_path / "a.csv"
    path.write_text("Title,Investor,Country,Date\nInvented import deal,Invented Werke AG,DE,2023-07-01\n",
                    encoding="utf-8")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # as at the import's commit
        call_command("import_deals", str(path), "--approve", "--user", "rita")
    assert Deal.objects.get(title="Invented import deal").review_status == ReviewStatus.APPROVED
    assert _year_counts(client) == {"2023": 1, "2024": 1}


@pytest.mark.django_db
def test_renaming_a_sector_in_the_admin_shows_in_the_listing_and_stats_at_once(
    client, django_capture_on_commit_callbacks
):
    deal = make_deal("Invented drone deal")
    sector = Sector.objects.create(slug="invented-drones", name="Invented drones")
    deal.sectors.add(sector)
    assert "Invented drones" in client.get("/deals/").content.decode()
    assert "Invented drones" in client.get("/stats/").content.decode()
    admin = User.objects.create_superuser("admin", password="pw-for-test-only")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/deals/sector/{sector.pk}/change/",
                               {"slug": "invented-drones", "name": "Invented aerial robots"})  # fmt: skip
    assert response.status_code == 302
    client.logout()
    assert "Invented aerial robots" in client.get("/deals/").content.decode()
    assert "Invented aerial robots" in client.get("/stats/").content.decode()


def _wait_until_blocked(pid: int) -> None:
    """Until the backend ``pid`` waits for a lock (pg_locks is read live, not from a snapshot)."""
    with connection.cursor() as cur:
        for _ in range(400):
            cur.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cur.fetchone():
                return
            time.sleep(0.025)
    raise AssertionError("the worker never waited for the reviewer's row lock")


@pytest.mark.django_db(transaction=True)
def test_a_worker_finishing_after_a_reviewers_reject_does_not_make_the_deal_public_again(client, postgres):
    """Two real connections: the reviewer's reject holds the deal's row while a worker, in its own
    connection, reads the deal and goes on to write it; the reject commits in between."""
    user = User.objects.create_user("reviewer")
    deal = _approved_deal(user, first=result())
    later = article(LATER, n=2)
    pid: queue.Queue = queue.Queue()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid.put(cur.fetchone()[0])
            with transaction.atomic():  # as article_process runs it
                draft_upsert(article=later, result=_later_result())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    with transaction.atomic():
        deal_reject(deal=deal, user=user, reason="not a real agreement")
        thread.start()
        _wait_until_blocked(pid.get(timeout=10))
    thread.join(timeout=30)
    assert not thread.is_alive() and not errors, errors
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.REJECTED
    assert deal.history.first().history_change_reason != "extractor test-1"
    assert client.get(f"/deals/{deal.pk}/").status_code == 404
    assert DealSource.objects.get(deal=deal, article=later).accepted is False


@pytest.mark.django_db(transaction=True)
def test_a_reviewers_decision_waits_for_a_worker_writing_the_same_draft(postgres):
    """The other order: a worker holds the draft's row, a reviewer's approve (own connection)
    waits for it and then applies, not overwritten by the worker's write."""
    user = User.objects.create_user("reviewer")
    (deal,) = draft_upsert(article=article(), result=result())
    pid: queue.Queue = queue.Queue()
    errors: list[BaseException] = []

    def reviewer() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid.put(cur.fetchone()[0])
            deal_approve(deal=deal, user=user)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=reviewer)
    with transaction.atomic():
        draft_upsert(article=article(LATER, n=2), result=_later_result())  # locks the draft's row
        thread.start()
        _wait_until_blocked(pid.get(timeout=10))
    thread.join(timeout=30)
    assert not thread.is_alive() and not errors, errors
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.APPROVED


def _in_thread(target, pid: queue.Queue, errors: list) -> threading.Thread:
    """``target`` on its own database connection, reporting its backend's pid and any error."""

    def run() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid.put(cur.fetchone()[0])
            target()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_giving_a_company_its_accepted_country_does_not_deadlock_with_a_worker_naming_it(postgres):
    """A worker has written a pending source of an approved deal naming Invented Robotics (its alias
    rows reference the company; PostgreSQL checks those references at commit). A reviewer approves
    another draft that gives the company its country: the reviewer locks the company, then waits
    for the worker's deal to refresh its columns. The worker's commit must not wait for the
    reviewer's lock on the company (it would be a deadlock, one of the two aborted)."""
    user = User.objects.create_user("reviewer")
    first = _approved_deal(user)  # Invented Robotics Ltd, without a country
    other = result(title="Invented Robotics licenses to Invented Partner Oy")
    item = other["deals"][0]
    item["kinds"], item["date"], item["amounts"], item["evidence"] = ["licensing"], "2021-06-01", [], []
    item["parties"][1] = {"name": "Invented Partner Oy", "aliases": [], "country": "FI", "role": "licensee"}
    (draft,) = draft_upsert(article=article(TEXT + " Licence.", n=3), result=other)  # proposes DE
    later = article(LATER, n=2)
    wrote, commit = threading.Event(), threading.Event()
    worker_pid: queue.Queue = queue.Queue()
    reviewer_pid: queue.Queue = queue.Queue()
    errors: list[BaseException] = []

    def work() -> None:
        with transaction.atomic():
            draft_upsert(article=later, result=_later_result())  # locks the first deal's row
            wrote.set()
            assert commit.wait(timeout=20)

    worker = _in_thread(work, worker_pid, errors)
    assert wrote.wait(timeout=20)
    reviewer = _in_thread(lambda: deal_approve(deal=draft, user=user), reviewer_pid, errors)
    _wait_until_blocked(reviewer_pid.get(timeout=10))  # it holds the company, awaits the first deal
    commit.set()
    worker.join(timeout=30)
    reviewer.join(timeout=30)
    assert not worker.is_alive() and not reviewer.is_alive()
    assert not errors, errors
    assert Company.objects.get(name="Invented Robotics Ltd").country == "DE"
    assert Deal.objects.get(pk=draft.pk).review_status == ReviewStatus.APPROVED
    assert DealSource.objects.get(deal=first, article=later).accepted is False
    assert "Invented Robotics Ltd (DE," in Deal.objects.get(pk=first.pk).joined_parties
