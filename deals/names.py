"""Name normalisation is defined once, in ``sources.extraction.names`` (the extractor must not import
``deals``); the domain code reads it from here."""

from sources.extraction.names import normalize_name

__all__ = ["normalize_name"]
