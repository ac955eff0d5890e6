"""German: every noun is capitalised, so a capital alone says little. A name is a capitalised run
where a party stands that also looks like a name: a word with an inner capital or in capitals
(WerkTech, KLM), a legal form after it (AG, GmbH), or several capitalised words none of
which ends like a German common noun (-ung, -heit, -schaft ...)."""

import re

from .. import lexicon as lx
from . import Name, en

_COMMON_NOUN_END = re.compile(
    r"(?:ung|heit|keit|schaft|tion|ität|ment|nis|tum|ismus|ie|ik|ur|enz|anz|er|en|e|um|ts|te|ten|ern)$"
)
_DE_STOP = frozenset(
    "Der Die Das Den Dem Des Ein Eine Einen Einem Einer Mit Von Vom Zum Zur Für Auf Aus Bei Nach Über Unter Am Im Als"
    " Wie Beide Dazu Damit Diese Dieser Dieses Sie Er Es Wir Laut Nach Seit Ab Bis Auch Zudem Außerdem Dafür Hierzu"
    " Juni Juli Januar Februar März Mai Oktober Dezember Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag"
    " Unternehmen Konzern Firma Gruppe Partner Kooperation Zusammenarbeit Vereinbarung Vertrag Rahmenvertrag Millionen"
    " Milliarden Euro Dollar Provinz Landesregierung Regierung Ministerium Stadt Land Bundesland Ortszeit".split()
)


def names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    out = []
    for n in en.names(text, spans):
        words = n.text.split()
        while words and words[0] in _DE_STOP:  # "Die Firma X", "Unternehmen X": the name follows
            words.pop(0)
        while words and words[-1] in _DE_STOP:
            words.pop()
        if not words:
            continue
        name = " ".join(words)
        start = n.start + n.text.find(name)
        n = Name(start, start + len(name), name, n.country)
        inner_caps = any(re.search(r"[a-zäöü][A-Z]|^[A-Z]{2,}$", w) for w in words)
        legal = lx.rx(rf",?\s{lx.EN_LEGAL}\b").match(text[n.end : n.end + 20])
        foreign = len(words) >= 2 and not any(_COMMON_NOUN_END.search(w) for w in words)
        if inner_caps or legal or foreign:
            out.append(n)
    return out
