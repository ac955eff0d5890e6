from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources import services
from sources.admin import ArticleSizeLimit
from sources.models import Article, ArticleStatus, Origin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_process_tasks")]
DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"


def test_staff_upload_several_files_at_once_in_the_admin(admin_client):
    files = [SimpleUploadedFile(p.name, p.read_bytes(), "text/plain") for p in sorted(DEMO.glob("*.txt"))[:2]]
    response = admin_client.post("/admin/sources/article/upload/", {"files": files})
    assert response.status_code == 302
    assert services.background_idle()
    uploaded = Article.objects.filter(origin=Origin.UPLOAD)
    assert uploaded.count() == 2
    assert set(uploaded.values_list("status", flat=True)) == {ArticleStatus.EXTRACTED}


def test_the_upload_page_and_article_list_open(admin_client):
    assert admin_client.get("/admin/sources/article/upload/").status_code == 200
    assert admin_client.get("/admin/sources/article/").status_code == 200
    assert admin_client.get("/admin/deals/deal/").status_code == 200


def test_reextract_command_requeues_and_changes_no_counts(capsys):
    from django.core.management import call_command

    from deals.models import Deal

    call_command("ingest", str(DEMO))
    before = (Article.objects.count(), Deal.objects.count())
    call_command("reextract", "--all")
    assert "queued" in capsys.readouterr().out
    assert (Article.objects.count(), Deal.objects.count()) == before


def test_an_oversized_upload_is_refused_with_a_message_and_the_others_kept(admin_client, settings):
    settings.ARTICLE_MAX_BYTES = 2000
    small = SimpleUploadedFile("small.txt", (DEMO / "en-demo-rumour.txt").read_bytes()[:1500], "text/plain")
    big = SimpleUploadedFile("big.txt", b"x" * 5000, "text/plain")
    response = admin_client.post("/admin/sources/article/upload/", {"files": [small, big]}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("big.txt" in m and "size limit" in m for m in messages), messages
    assert list(Article.objects.values_list("filename", flat=True)) == ["small.txt"]


def test_an_upload_without_a_broker_answers_before_extraction_runs(admin_client, monkeypatch):
    import threading

    from sources import extraction

    release, real = threading.Event(), extraction.extract

    def held(*args, **kwargs):
        assert release.wait(30), "the upload response never came back while extraction was held"
        return real(*args, **kwargs)

    monkeypatch.setattr(extraction, "extract", held)
    f = SimpleUploadedFile("a.txt", (DEMO / "en-demo-rumour.txt").read_bytes(), "text/plain")
    response = admin_client.post("/admin/sources/article/upload/", {"files": [f]})
    assert response.status_code == 302  # answered while extraction still waits
    assert Article.objects.get().status in {ArticleStatus.RECEIVED, ArticleStatus.PROCESSING}
    release.set()
    assert services.background_idle()
    assert Article.objects.get().status == ArticleStatus.EXTRACTED


def test_the_upload_leads_to_the_articles_it_received_and_their_drafts(admin_client):
    f = SimpleUploadedFile("a.txt", sorted(DEMO.glob("ko-*.txt"))[0].read_bytes(), "text/plain")
    response = admin_client.post("/admin/sources/article/upload/", {"files": [f]})
    article = Article.objects.get()
    assert response["Location"].endswith(f"/admin/sources/article/?id__in={article.pk}")
    assert services.background_idle()
    deal_id = article.deal_sources.get().deal_id
    page = admin_client.get(response["Location"]).content.decode()
    assert f"/admin/deals/deal/{deal_id}/change/" in page
    assert f"/admin/sources/article/{article.pk}/change/" in page


def test_articles_add_is_the_upload_not_an_empty_article(admin_client):
    response = admin_client.get("/admin/sources/article/add/")
    assert response.status_code == 302 and response["Location"].endswith("/admin/sources/article/upload/")
    admin_client.post("/admin/sources/article/add/", {"title": "empty"})
    assert not Article.objects.exists()


def test_the_upload_handler_stops_storing_a_file_at_the_size_limit():
    from django.core.files.uploadhandler import SkipFile

    handler = ArticleSizeLimit(None, limit=100_000)
    handler.new_file("files", "big.txt", "text/plain", None)
    chunk = b"x" * 65_536
    handler.receive_data_chunk(chunk, 0)
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(chunk, len(chunk))
    assert handler.file.tell() == len(chunk)  # the second chunk never reached the disk
    assert handler.refused == [("big.txt", 2 * len(chunk))]


def test_ingest_prints_the_admin_addresses_of_the_drafts_it_made(capsys, settings):
    from django.core.management import call_command

    from deals.models import Deal

    settings.SITE_URL = "http://desk.example.org"
    call_command("ingest", str(sorted(DEMO.glob("ko-*.txt"))[0]))
    out = capsys.readouterr().out
    deal = Deal.objects.get()
    assert f"http://desk.example.org/admin/deals/deal/{deal.pk}/change/" in out


def test_a_multi_file_upload_stores_every_good_file_and_names_each_refused_one_with_its_reason(admin_client, settings):
    settings.ARTICLE_MAX_BYTES = 2000
    good = [
        SimpleUploadedFile(f"good-{i}.txt", f"Invented Werke {i} AG signed an agreement with Orvan AG.".encode())
        for i in range(3)
    ]
    big = SimpleUploadedFile("big.txt", b"x" * 5000, "text/plain")
    empty = SimpleUploadedFile("empty.txt", b"", "text/plain")
    files = [good[0], big, good[1], empty, good[2]]
    response = admin_client.post("/admin/sources/article/upload/", {"files": files})
    assert services.background_idle()  # SQLite: let the background extraction finish before the next page
    messages = [str(m) for m in admin_client.get(response["Location"]).context["messages"]]
    assert any(m.startswith("big.txt: refused") and "size limit" in m for m in messages), messages
    assert any(m.startswith("empty.txt: refused") and "empty" in m for m in messages), messages
    assert any("3 new article(s) queued" in m for m in messages), messages
    assert set(Article.objects.values_list("filename", flat=True)) == {"good-0.txt", "good-1.txt", "good-2.txt"}


def test_the_upload_result_page_follows_its_articles_through_a_progress_endpoint(
    admin_client, django_assert_num_queries
):
    import re

    f = SimpleUploadedFile("a.txt", sorted(DEMO.glob("ko-*.txt"))[0].read_bytes(), "text/plain")
    location = admin_client.post("/admin/sources/article/upload/", {"files": [f]})["Location"]
    article = Article.objects.get()
    page = admin_client.get(location).content.decode()
    url = re.search(r'id="upload-progress"[^>]*data-url="([^"]+)"', page, re.S)[1].replace("&amp;", "&")
    assert url == f"/admin/sources/article/progress/?ids={article.pk}"
    assert "sources/upload_progress.js" in page  # a file: the CSP allows script-src 'self' only
    assert services.background_idle()
    with django_assert_num_queries(4):  # the session, the user, the articles, their deals
        data = admin_client.get(url).json()
    deal_id = article.deal_sources.get().deal_id
    [shown] = data["articles"]
    assert data["done"] and shown["status"] == "extracted" and shown["done"]
    assert shown["deals"] == [{"id": deal_id, "url": f"/admin/deals/deal/{deal_id}/change/"}]


def test_the_progress_endpoint_refuses_an_unbounded_or_malformed_id_list_and_strangers(admin_client, client):
    assert admin_client.get("/admin/sources/article/progress/?ids=1,x").status_code == 400
    assert admin_client.get("/admin/sources/article/progress/?ids=" + ",".join(map(str, range(500)))).status_code == 400
    assert client.get("/admin/sources/article/progress/?ids=1").status_code == 302  # to the login page
    assert "upload-progress" not in admin_client.get("/admin/sources/article/").content.decode()
