"""Name normalisation is defined once, in ``sources.extraction.names`` (the extractor must not import
``deals``); the domain code reads it from here."""

import unicodedata

from sources.extraction.names import name_words, normalize_name

__all__ = ["name_words", "normalize_name", "script_of"]


# Scripts a company's names are written in, in the order a reader of this site looks for them.
SCRIPTS = ("Latin", "Hangul", "Han", "Kana", "Cyrillic")


def script_of(name: str) -> str:
    """The writing system of a name: the script of most of its letters (a Hangul name with a
    Latin legal form is Hangul), "Kana" for any Japanese name, "Other" for anything else."""
    counts: dict[str, int] = {}
    for char in name:
        if not char.isalpha():
            continue
        label = unicodedata.name(char, "")
        if label.startswith(("HIRAGANA", "KATAKANA")):
            found = "Kana"
        elif label.startswith("CJK"):
            found = "Han"
        elif label.startswith("HANGUL"):
            found = "Hangul"
        else:
            found = next((s for s in ("Latin", "Cyrillic") if label.startswith(s.upper())), "Other")
        counts[found] = counts.get(found, 0) + 1
    if "Kana" in counts:  # Japanese mixes kana with kanji; any kana tells it from Chinese
        return "Kana"
    return max(counts, key=counts.get) if counts else "Other"
