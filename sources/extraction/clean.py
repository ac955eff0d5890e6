"""Main text of a page: trafilatura for HTML, a line-block heuristic for scraped text.

Scraped pages carry weather boxes, menus, "most read" lists and copyright lines around the
article. The body is the densest run of sentence-like lines; the title, dateline and byline are
the short lines just above it; a footer marker ends it.
"""

import re
from dataclasses import dataclass

from .decode import strip_blocks

_FOOTER_RE = re.compile(
    r"무단\s?전재|재배포\s?금지|저작권자|ⓒ|©|copyright|all rights reserved|관련\s?기사|많이\s?본\s?뉴스|가장\s?많이\s?본|"
    r"most (?:viewed|read|popular)|related (?:articles|stories|news)|читайте также|関連記事|相关阅读|相关新闻|"
    r"weitere artikel|impressum|포토뉴스",
    re.I,
)
# Starts only at a token start: a bare \S+ made this quadratic on a 100,000-character line.
_MENU_RE = re.compile(r"(?<![^\s|│])(?:[^\s|│]+\s*[|│]\s*){3,}|(?:HOME|Home|홈)\s")
# A number starts after no digit: "\d+" tried at every digit of a long run of digits was quadratic
# (10,000 digits took 6 s, a 4 MB run hours).
_WEATHER_RE = re.compile(r"(?<![\d.])-?\d{1,3}(?:\.\d{1,2})?\s?℃|기상청|미세먼지")
_SENTENCE_END_RE = re.compile(r"[.!?。！？…」”\"']\s*$|다\.|[.。]\s")


@dataclass
class CleanText:
    text: str
    title: str
    header: str  # the title, dateline and byline lines above the body


def language_of(text: str) -> str:
    """ISO 639-1 code from the scripts in the text (ko, ja, zh, ru, de, en)."""
    sample = text[:20000]
    hangul = len(re.findall(r"[가-힣]", sample))
    kana = len(re.findall(r"[\u3040-\u30ff]", sample))
    han = len(re.findall(r"[\u4e00-\u9fff]", sample))
    cyr = len(re.findall(r"[а-яА-ЯёЁ]", sample))
    latin = len(re.findall(r"[A-Za-z]", sample))
    scores = {"ko": hangul * 2, "ja": kana * 3 + (han if kana else 0), "zh": han if not kana else 0, "ru": cyr}
    best = max(scores, key=scores.get)
    if scores[best] * 1.5 > latin * 0.5 and (scores[best] > 20 or scores[best] > latin):
        return best
    words = re.findall(r"[A-Za-zäöüßÄÖÜ]+", sample.lower())
    german = sum(
        w in {"der", "die", "das", "und", "mit", "für", "ist", "ein", "eine", "den", "dem", "nicht"} for w in words
    )
    german += 3 * len(re.findall(r"[äöüß]", sample))
    english = sum(w in {"the", "and", "with", "for", "is", "a", "an", "of", "said", "to"} for w in words)
    return "de" if german > english else "en"


def _is_content(line: str) -> bool:
    s = line.strip()
    if len(s) < 40 or _WEATHER_RE.search(s) or _MENU_RE.search(s):
        return False
    return bool(_SENTENCE_END_RE.search(s)) or len(s.split()) >= 12 or len(s) >= 80


_SOFT_WRAP_RE = re.compile(r"(?<=[가-힣,])\n(?=[가-힣0-9A-Za-z])")


def _unwrap(text: str) -> str:
    """Join lines a broadcaster's script or a narrow column wrapped mid-sentence ("도는 지난 3일\n독일
    로텐바흐와 5천만 달러,\n..."): only runs of three or more short lines where some line ends a
    sentence, so headlines and menus stay apart."""
    out = []
    for block in re.split(r"(\n\s*\n)", text):
        lines = block.split("\n")
        short = [ln for ln in lines if 0 < len(ln) < 60]
        if len(short) >= 3 and len(short) * 3 >= len(lines) * 2 and any(re.search(r"다\.\s*$", ln) for ln in lines):
            block = _SOFT_WRAP_RE.sub(" ", block)
        out.append(block)
    return "".join(out)


def clean_text(text: str) -> CleanText:
    """Cut a scraped text page down to title, dateline, byline and body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = _unwrap(text).split("\n")
    blocks: list[tuple[int, int, int, int]] = []  # (score, start, end, n_content)
    start = end = None
    gap = score = n = 0
    for i, line in enumerate(lines):
        if _is_content(line):
            if start is None:
                start = i
            end, gap = i, 0
            score += len(line.strip())
            n += 1
        elif start is not None:
            if line.strip():
                gap += 1
            if gap > 2 or _FOOTER_RE.search(line):
                blocks.append((score if n > 1 else score // 2, start, end, n))
                start, gap, score, n = None, 0, 0, 0
    if start is not None:
        blocks.append((score if n > 1 else score // 2, start, end, n))
    if not blocks:
        body = text.strip()
        return CleanText(text=body, title=body.split("\n", 1)[0][:300], header="")
    _, b_start, b_end, _ = max(blocks)
    header_lines: list[str] = []
    title = ""
    for j in range(b_start - 1, max(-1, b_start - 9), -1):
        s = lines[j].strip()
        if not s:
            continue
        if _MENU_RE.search(s) or _WEATHER_RE.search(s) or _FOOTER_RE.search(s) or s in {"배너", "Banner"}:
            break
        header_lines.insert(0, s)
    # The title is the longest header line that is not a dateline or byline.
    candidates = [
        h for h in header_lines if len(h) >= 12 and not re.match(r"^(?:입력|등록|수정|posted|updated|by )", h, re.I)
    ]
    # A title stands above its dateline: a sentence below it is the lead, however long.
    dated = next(
        (k for k, h in enumerate(header_lines) if re.match(r"^(?:입력|등록|posted|published)\b", h, re.I)), None
    )
    if dated is not None and any(len(h) >= 6 for h in header_lines[:dated]):
        candidates = [h for h in header_lines[:dated] if len(h) >= 6]
    if candidates:
        title = max(candidates, key=len)
        header_lines = header_lines[header_lines.index(title) :]
    body_lines = [ln.strip() for ln in lines[b_start : b_end + 1]]
    # A lead shorter than a content line ("가나청은 11일 다라사와 투자협약을 체결했다.") sits between the
    # dateline and the body: it is the body's first sentence, not part of the header.
    while len(header_lines) > 1 and header_lines[-1] != title and _SENTENCE_END_RE.search(header_lines[-1]) \
            and len(header_lines[-1]) >= 15 and not re.match(r"^(?:입력|등록|수정|posted|updated|by )", header_lines[-1], re.I):  # fmt: skip
        body_lines.insert(0, header_lines.pop())
    header = "\n".join(header_lines)
    body = "\n".join(ln for ln in body_lines)
    body = re.sub(r"\n{3,}", "\n\n", body)
    full = (header + "\n\n" + body) if header else body
    return CleanText(text=full, title=title or body_lines[0][:300], header=header)


def clean_html(html: str) -> CleanText:
    """Article text of an HTML page through trafilatura, with the title and date kept on top."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_recall=True)
    body = (getattr(doc, "text", None) or "").strip() if doc else ""
    title = (getattr(doc, "title", None) or "").strip() if doc else ""
    date = (getattr(doc, "date", None) or "") if doc else ""
    if not body:
        stripped = strip_blocks(html)
        stripped = re.sub(r"(?s)<[^>]+>", "\n", stripped)
        return clean_text(re.sub(r"[ \t]+", " ", stripped))
    header = "\n".join(x for x in (title, f"Published {date}" if date else "") if x)
    text = (header + "\n\n" + body) if header else body
    return CleanText(text=text, title=title, header=header)


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head) or head.count("<p") > 2
