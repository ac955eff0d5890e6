"""Russian: Natasha's news NER (natasha, navec and slovnet models shipped on PyPI, offline).

ORG spans in the deal sentences are the names, minus public bodies (правительство, министерство,
администрация ...). A name in «quotes» after компания/корпорация/группа is a name too.
"""

import re
from functools import lru_cache

from .. import lexicon as lx
from . import Name

_PUBLIC = re.compile(
    r"(?i)^(?:правительств|министерств|администраци|агентств|департамент|губернатор|дум|совет|мэри|комитет|фонд)"
)


@lru_cache(maxsize=1)
def _pipeline():
    """Natasha's segmenter and NER tagger, loaded once per process (~1 s, ~150 MB)."""
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    emb = NewsEmbedding()
    return Segmenter(), NewsNERTagger(emb)


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    from natasha import Doc

    segmenter, tagger = _pipeline()
    out: list[Name] = []
    for a, b in spans:
        doc = Doc(text[a:b])
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        for span in doc.spans:
            if span.type != "ORG":
                continue
            name = span.text.strip("«»\"' ")
            start = a + span.start + span.text.find(name)
            if len(name) < 2 or _PUBLIC.match(name) or lx.is_government_name(name):
                continue
            out.append(Name(start, start + len(name), name, _country_before(text[max(a, start - 40) : start])))
        for m in re.finditer(r"(?:компани\w*|корпораци\w*|групп\w*|концерн\w*|холдинг\w*)\s«([^»]{2,60})»", text[a:b]):
            s = a + m.start(1)
            out.append(Name(s, s + len(m.group(1)), m.group(1), _country_before(text[max(a, s - 50) : s])))
    return out


def _country_before(before: str) -> str | None:
    found = list(lx.country_regex().finditer(before))
    return lx.country_of(found[-1].group(0)) if found else None
