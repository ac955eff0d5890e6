from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import Article, ArticleStatus, Origin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_process_tasks")]
DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"


def test_staff_upload_several_files_at_once_in_the_admin(admin_client):
    files = [SimpleUploadedFile(p.name, p.read_bytes(), "text/plain") for p in sorted(DEMO.glob("*.txt"))[:2]]
    response = admin_client.post("/admin/sources/article/upload/", {"files": files})
    assert response.status_code == 302
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
