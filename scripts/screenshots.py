"""Regenerate the screenshots in docs/img/: the review screen (English and Korean, 1366×768) and
the public listing, a deal's page and the statistics (English and Korean, at 1366 px and at a
phone's 375 px).

    .venv/bin/python scripts/screenshots.py

Runs the product as a newcomer does (a fresh SQLite database, `manage.py demo`, the dev server on
a free port), logs in with the demo's admin account and photographs the newest draft's review
screen with Debian's Chromium, then the public pages without logging in. Korean needs a CJK font
(Debian: fonts-noto-cjk).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
PY = sys.executable


LATER_ARTICLE = """
import datetime as dt
from deals.models import Deal
from deals.services import draft_upsert
from sources.models import Article, ArticleStatus
deal = Deal.objects.filter(review_status="approved", lifecycle="mou_signed").order_by("id").first()
names = [p.company.name for p in deal.parties.select_related("company")]
text = f"{names[0]} and {names[1]} signed the investment agreement that their memorandum announced."
article = Article.objects.create(raw=text.encode(), text=text, title="An invented follow-up report",
                                 status=ArticleStatus.EXTRACTED, published_on=dt.date.today(), language="en")
quote = "signed the investment agreement"
start = text.index(quote)
draft_upsert(article=article, result={"language": "en", "deals": [{
    "title": deal.title, "kinds": ["investment"], "confidence": 0.8,
    "date": (deal.signed_on + dt.timedelta(days=200)).isoformat(),
    "parties": [{"name": n, "aliases": [], "country": None, "role": "partner"} for n in names],
    "amounts": [{"value": "45000000", "currency": "USD", "group": 0, "text": "$45m"}],
    "evidence": [{"field": "kinds", "start": start, "end": start + len(quote), "text": quote}]}]})
print(deal.pk)
"""


# A demo deal whose page shows most of what a deal's page can: amounts in another currency,
# government involvement and a source.
DETAIL_DEAL = """
from deals.models import Deal
approved = Deal.objects.filter(review_status="approved").order_by("id")
sourced = approved.filter(sources__isnull=False).exclude(amounts__currency="USD").exclude(amounts=None).distinct()
deal = sourced.filter(government__isnull=False).first() or sourced.first() or approved.first()
print(deal.pk)
"""

# (name, path, whole page): the statistics are photographed whole, the others as first seen.
PUBLIC_PAGES = [("listing", "/deals/", False), ("detail", "/deals/{deal}/", False), ("stats", "/stats/", True)]
WIDTHS = [("", 1366, 768), ("-phone", 375, 812)]


def public_pages(browser, base: str, deal: str) -> None:
    for locale, lang in (("en-GB", "en"), ("ko-KR", "ko")):
        for suffix, width, height in WIDTHS:
            context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path, whole in PUBLIC_PAGES:
                page.goto(base + path.format(deal=deal))
                out = OUT / f"{name}-{lang}{suffix}.png"
                page.screenshot(path=str(out), full_page=whole)
                print(out)
            context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL"}}
        env.update(DATABASE_URL=f"sqlite:///{tmp}/demo.sqlite3", DEBUG="1")
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        demo = subprocess.run([PY, "manage.py", "demo"], cwd=ROOT, env=env, check=True, capture_output=True,
                              text=True).stdout  # fmt: skip
        user, password = re.search(r"user: (\S+)\s+password: (\S+)", demo).groups()
        # A later article about one of the demo's MOUs, so the screen shows proposed updates.
        proposal_deal = subprocess.run([PY, "manage.py", "shell", "-c", LATER_ARTICLE], cwd=ROOT, env=env, check=True,
                                       capture_output=True, text=True).stdout.split()[-1]  # fmt: skip
        detail_deal = subprocess.run([PY, "manage.py", "shell", "-c", DETAIL_DEAL], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout.split()[-1]  # fmt: skip
        port = free_port()
        server = subprocess.Popen([PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
                for locale, name in (("en-GB", "review-en.png"), ("ko-KR", "review-ko.png")):
                    page = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768}).new_page()
                    page.goto(f"{base}/admin/login/?next=/admin/deals/deal/")
                    page.fill("#id_username", user)
                    page.fill("#id_password", password)
                    page.click("input[type=submit]")
                    page.wait_for_url(lambda url: "/login/" not in url)
                    page.click("#result_list tbody tr:first-child th a")
                    page.locator("#review-desk").wait_for()
                    page.screenshot(path=str(OUT / name))
                    print(OUT / name)
                    if locale == "en-GB":
                        page.goto(f"{base}/admin/deals/deal/{proposal_deal}/change/")
                        page.locator("form.proposals").wait_for()
                        page.screenshot(path=str(OUT / "proposal-en.png"))
                        print(OUT / "proposal-en.png")
                public_pages(browser, base, detail_deal)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
