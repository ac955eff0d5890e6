"""One module per language behind one interface: ``names(text, spans)``.

Each module finds the organisation names that a language analyser (or, for English and German,
the shape of capitalised words) sees in the given spans of the text: the sentences that report a
deal. The shape rules in ``entities`` still run for every language; these modules add the names
that carry no legal form. Analysers are loaded lazily, once per process, and only for their own
language. Adding a language is adding a file with a ``names`` function.
"""

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType


@dataclass(frozen=True)
class Name:
    """An organisation name as found: its span in the text, and the home country if a cue says."""

    start: int
    end: int
    text: str
    country: str | None = None


CODES = ("ko", "en", "ja", "zh", "ru", "de")


def module_for(language: str) -> ModuleType:
    """The language's module; English rules for a language we have no module for."""
    return import_module(f"{__name__}.{language if language in CODES else 'en'}")


WARM_UP = {
    "ko": "산업부는 독일 바커와 투자협약을 체결했다.",
    "en": "Nordvik Systems signed an agreement with Busan Metropolitan City.",
    "ja": "青葉精機は忠清北道と投資協約を結んだ。",
    "zh": "德国克劳斯集团与江苏省签署投资协议。",
    "ru": "ООО «Ромашка» подписало соглашение с администрацией области.",
    "de": "Die Grauwerk AG hat einen Vertrag unterzeichnet.",
}


def warm_up(codes: list[str]) -> None:
    """Load these languages' analysers now (a Celery worker does it before forking its pool, so the
    children share one copy and a restarted child does not load them again)."""
    for code in codes:
        if code in WARM_UP:
            text = WARM_UP[code]
            module_for(code).names(text, [(0, len(text))])
