"""The review screen as a reviewer uses it all day: at 1366×768, from the keyboard, in Korean,
and from an upload to the draft it made."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from deals.groups import REVIEWERS
from deals.models import Deal, ReviewStatus
from deals.services import draft_upsert
from tests.factories import article, result

pytestmark = pytest.mark.django_db(transaction=True)
DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"
PASSWORD = "correct horse battery"


def three_drafts() -> list[Deal]:
    drafts = []
    for n, name in enumerate(["가나다전자", "라마바전자", "사아자전자"], start=1):
        text = f"Invented Robotics Ltd of Germany and Korean firm {name} signed a joint venture agreement " * 2
        res = result(title=f"Invented Robotics – {name}")
        res["deals"][0]["parties"][1]["name"] = name
        res["deals"][0]["evidence"] = [{"field": "parties", "start": 0, "end": 21, "text": text[:21]}]
        [deal] = draft_upsert(article=article(text, n=n), result=res)
        drafts.append(deal)
    return drafts


def log_in(page, live_server, next_url: str) -> None:
    user = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.wait_for_load_state()


def test_three_drafts_reviewed_from_the_keyboard_alone(live_server, page):
    newest, middle, oldest = sorted(three_drafts(), key=lambda d: (d.created_at, d.pk), reverse=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, f"/admin/deals/deal/{newest.pk}/change/")

    # A correct draft: one keystroke approves it and opens the next draft.
    page.keyboard.press("a")
    page.wait_for_url(f"**/admin/deals/deal/{middle.pk}/change/")
    newest.refresh_from_db()
    assert newest.review_status == ReviewStatus.APPROVED

    # A wrong title: focus the first field, retype, leave the field, approve.
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type("Invented Robotics – 라마바전자: robotics joint venture")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    page.wait_for_url(f"**/admin/deals/deal/{oldest.pk}/change/")
    middle.refresh_from_db()
    assert middle.review_status == ReviewStatus.APPROVED
    assert middle.title == "Invented Robotics – 라마바전자: robotics joint venture"

    # Not a deal: reject with a reason, still without the mouse.
    page.keyboard.press("r")
    page.keyboard.type("a rumour, nothing signed")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/admin/deals/deal/")  # no draft left: back to the list
    oldest.refresh_from_db()
    assert oldest.review_status == ReviewStatus.REJECTED
    assert oldest.rejection_reason == "a rumour, nothing signed"


def test_the_review_screen_fits_1366_by_768_without_sideways_scrolling(live_server, page):
    [deal] = draft_upsert(article=article(), result=result())
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, f"/admin/deals/deal/{deal.pk}/change/")
    assert page.locator("#review-desk").is_visible()
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"the page is {scroll} px wide in a {client} px window"
    legend = page.locator("[aria-label='Highlight colours']").inner_text()
    assert "parties" in legend and "amounts" in legend
    assert page.locator("kbd").count() >= 6  # the shortcuts are on screen


@pytest.mark.parametrize(("lang", "width"), [("en-GB", 1366), ("ko-KR", 375)])
def test_an_upload_leads_to_the_draft_it_made(live_server, browser, in_process_tasks, lang, width):
    context = browser.new_context(locale=lang, viewport={"width": width, "height": 768})
    page = context.new_page()
    try:
        log_in(page, live_server, "/admin/")
        page.click("#review-start a.addlink")  # "Upload articles" on the admin home
        page.set_input_files("input[type=file]", str(sorted(DEMO.glob("ko-*.txt"))[0]))
        page.click("input[type=submit]")
        # Extraction runs after the response: the result page follows it (no reload) and links the draft.
        link = page.locator("#result_list a[href^='/admin/deals/deal/']")
        link.first.wait_for(timeout=60_000)
        page.locator("#upload-progress[data-state=done]").wait_for()
        assert page.locator("#result_list tr[data-status=extracted]").count() == 1
        from django.utils import translation

        from sources.models import ArticleStatus

        with translation.override(lang[:2]):
            assert page.locator("#result_list td.field-status").inner_text() == str(ArticleStatus.EXTRACTED.label)
        link.first.click()
        page.locator("mark.evidence").first.wait_for()  # the draft page, its evidence highlighted
        deal = Deal.objects.get()
        assert page.url.endswith(f"/admin/deals/deal/{deal.pk}/change/")
    finally:
        context.close()


ENGLISH_LEFTOVERS = ["Save and reject", "Extracted", "Evidence:", "next draft", "joint venture", "parties",
                     "signing date", "confidence", "Source 1", "amounts", "Status"]  # fmt: skip


def test_the_review_screen_in_korean_has_no_english_leftovers(live_server, browser):
    [deal] = draft_upsert(article=article(), result=result())
    context = browser.new_context(locale="ko-KR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        log_in(page, live_server, f"/admin/deals/deal/{deal.pk}/change/")
        # The screen's own words (labels, headings, buttons, the shortcut bar), not the article's.
        chrome = "\n".join(
            text
            for selector in (".review-bar", ".review-fields th", ".review-fields td:first-child", ".review-actions",
                             "#deal_form label", "#deal_form h2", "#deal_form th", ".submit-row")
            for text in page.locator(selector).all_inner_texts()
        )  # fmt: skip
        titles = page.eval_on_selector_all("mark.evidence", "marks => marks.map(m => m.title)")
        assert "승인" in chrome
        leftovers = [w for w in ENGLISH_LEFTOVERS if w in chrome or any(w in t for t in titles)]
        assert not leftovers, leftovers
    finally:
        context.close()


def test_a_long_country_filter_can_be_searched(live_server, page):
    from deals.models import Company

    for code in ["DE", "FR", "JP", "US", "CN", "SE", "NL", "IL", "GB", "SG", "VN", "CA"]:
        Company.objects.create(name=f"Invented {code} Co", country=code)
    log_in(page, live_server, "/admin/deals/deal/")
    box = page.locator("#changelist-filter input.filter-search").first
    box.fill("germ")
    visible = [t.strip() for t in page.locator("#changelist-filter li:visible").all_inner_texts()]
    assert "Germany" in visible and "France" not in visible
