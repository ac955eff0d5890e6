"""Bytes to text: BOM, declared charset (HTTP header, then <meta>), then detection.

Detection runs on the bytes with <script> and <style> removed: inline scripts mislead both
charset-normalizer and chardet (FIELD-NOTES.md). Every euc-kr label is read as cp949, which is
a superset that real Korean pages need (똠, 뷁).
"""

import codecs
import re

from charset_normalizer import from_bytes

from .errors import ExtractionError

_ALIASES = {
    "euc-kr": "cp949", "euc_kr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ksc5601": "cp949",
    "x-windows-949": "cp949", "windows-949": "cp949", "uhc": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
    "x-sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "ms_kanji": "cp932",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
}  # fmt: skip
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def normalize_encoding(label: str) -> str | None:
    """A Python codec name for a charset label, or None when Python does not know it."""
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _declared(raw: bytes, content_type: str | None) -> list[str]:
    found = []
    if content_type:
        m = _HEADER_RE.search(content_type)
        if m:
            found.append(m.group(1))
    m = _META_RE.search(raw[:8192])
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    return [e for e in (normalize_encoding(x) for x in found) if e]


def looks_binary(raw: bytes) -> bool:
    """True for input that is not text in any encoding we read (NULs or mostly control bytes)."""
    sample = raw[:4096]
    if not sample:
        return False
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample) > 0.1


def decode(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises ExtractionError for empty or undecodable input."""
    if not raw or not raw.strip():
        raise ExtractionError("empty input: the article has no content")
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(enc, errors="replace"), enc
    if looks_binary(raw):
        raise ExtractionError("binary input: this is not a text or HTML article")
    for enc in _declared(raw, content_type):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue  # a wrong declaration is common; fall through to detection
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 2000):
        # A stray invalid byte in a UTF-8 page (a truncated copy, a bad paste) is replaced, not fatal.
        return text, "utf-8 (invalid bytes replaced)"
    stripped = strip_blocks(raw)
    best = from_bytes(stripped[:200_000]).best()
    if best is None or best.encoding is None:
        raise ExtractionError("undecodable input: no text encoding fits these bytes")
    enc = normalize_encoding(best.encoding) or best.encoding
    text = raw.decode(enc, errors="replace")
    if text.count("\ufffd") > max(20, len(text) // 50):
        raise ExtractionError(f"undecodable input: decoding as {enc} produced too many invalid characters")
    return text, enc


def strip_blocks(data, tags=("script", "style")):
    """``data`` (bytes or str) without its <script> and <style> blocks, in one pass.

    A regex such as ``<(script|style).*?</\\1>`` rescans the rest of the input from every opening tag
    that has no closing one: 100 KB of "<script" took 13-17 s. Here each position is read at most
    a few times: an unclosed block runs to the end."""
    is_bytes = isinstance(data, bytes)
    lower = data.lower()
    opens = [(b"<" if is_bytes else "<") + (t.encode() if is_bytes else t) for t in tags]
    out, pos = [], 0
    nxt = [lower.find(o) for o in opens]  # next opening of each tag, found again only once passed
    while True:
        for k, o in enumerate(opens):
            if 0 <= nxt[k] < pos:
                nxt[k] = lower.find(o, pos)
        found = [(i, k) for k, i in enumerate(nxt) if i >= 0]
        if not found:
            out.append(data[pos:])
            break
        start, k = min(found)
        out.append(data[pos:start])
        closing = (b"</" if is_bytes else "</") + (tags[k].encode() if is_bytes else tags[k])
        end = lower.find(closing, start + len(opens[k]))
        if end < 0:
            break
        gt = lower.find(b">" if is_bytes else ">", end)
        pos = len(data) if gt < 0 else gt + 1
        out.append(b" " if is_bytes else " ")
    return (b"" if is_bytes else "").join(out)
