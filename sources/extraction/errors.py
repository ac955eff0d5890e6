class ExtractionError(ValueError):
    """The input cannot be turned into an article (empty, binary, undecodable, too large)."""
