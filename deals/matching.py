"""Fuzzy name matching across scripts, for the review desk's duplicate suggestions.

Exact alias matching (``names.normalize_name``) runs when drafts are written. It cannot see that
a Hangul name, its Latin spelling and a Cyrillic one name the same firm, so reviewers get
*suggestions* from here, never automatic merges. Every name becomes a few Latin keys:

- its romanisation (anyascii: Revised Romanisation for Hangul, scientific transliteration for
  Cyrillic, pinyin for Han), lower-cased, legal forms dropped;
- a phonetic fold of each key (v/b, f/p, r/l ... merge), because Hangul has one letter where
  Latin has two: 비첼 romanises as "bichel", the Latin spelling may be "Vichel";
- for Hangul names spelt out letter by letter (Korean writes the acronym "KT" as 케이티), the
  Latin letters those syllables read as.

Two entities are suggested when any pair of their keys is close by rapidfuzz's normalised
Indel similarity. Pure functions, no models.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz, process

from .names import normalize_name

# How Korean spells the Latin alphabet, longest first so 에이치 (H) wins over 에이 (A).
HANGUL_LETTERS = {
    "더블유": "w", "에이치": "h", "에이": "a", "에프": "f", "제이": "j", "케이": "k", "아이": "i", "브이": "v",
    "와이": "y", "엑스": "x", "제트": "z", "지": "g", "비": "b", "씨": "c", "디": "d", "이": "e", "엘": "l",
    "엠": "m", "엔": "n", "오": "o", "피": "p", "큐": "q", "알": "r", "에스": "s", "티": "t", "유": "u",
}  # fmt: skip
_LETTERS_BY_LENGTH = sorted(HANGUL_LETTERS, key=len, reverse=True)
MIN_SCORE = 86.0
# Latin sounds Hangul does not tell apart, and Revised Romanisation digraphs (eu is mostly the vowel
# Korean inserts after a lone consonant in loanwords: 트 for t); applied to every key.
_FOLDS = [("ph", "p"), ("eo", "o"), ("eu", ""), ("ae", "e"), ("oo", "u"), ("ck", "k"), ("v", "b"), ("f", "p"),
          ("r", "l"), ("g", "k"), ("d", "t"), ("z", "j"), ("q", "k"), ("c", "k"), ("x", "ks"), ("w", "u"), ("y", "i")]  # fmt: skip


def _fold(key: str) -> str:
    for a, b in _FOLDS:
        key = key.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", key)


def _spelled_letters(hangul: str) -> str | None:
    """ "에스케이" -> "sk" when the whole word is Latin letters spelt in Hangul, else None."""
    out, i = [], 0
    while i < len(hangul):
        for syllables in _LETTERS_BY_LENGTH:
            if hangul.startswith(syllables, i):
                out.append(HANGUL_LETTERS[syllables])
                i += len(syllables)
                break
        else:
            return None
    return "".join(out) if len(out) >= 2 else None


def name_keys(name: str) -> set[str]:
    """Latin comparison keys of one name (empty when nothing is left after normalising)."""
    base = normalize_name(name)
    if not base:
        return set()
    keys = {"".join(ch for ch in anyascii(base).lower() if ch.isalnum())}
    if all("가" <= ch <= "힣" for ch in base):
        letters = _spelled_letters(base)
        if letters:
            keys.add(letters)
    # A folded key under four letters would make "SKC" and "SK" the same name.
    return {k for k in keys | {f for f in map(_fold, keys) if len(f) >= 4} if k}


def similarity(a: str, b: str) -> float:
    """Best similarity (0-100) between any keys of two names."""
    best = 0.0
    for ka in name_keys(a):
        for kb in name_keys(b):
            best = max(best, _score(ka, kb))
    return best


def _score(a: str, b: str) -> float:
    if min(len(a), len(b)) < 4:
        return 100.0 if a == b else 0.0  # short keys ("sk", "kt") only match exactly
    return fuzz.ratio(a, b)


@dataclass(frozen=True)
class Suggestion:
    left: int
    right: int
    score: float
    left_name: str
    right_name: str


def suggest_duplicates(names: Mapping[int, Iterable[str]], *, min_score: float = MIN_SCORE) -> list[Suggestion]:
    """Pairs of entity ids whose names look alike, best first.

    ``names`` maps an entity id to all its names (canonical and aliases). Pairs of keys are scored
    in one rapidfuzz ``cdist`` call (C, both cores), so a few thousand entities take well under
    a second; callers choose which entities to compare.
    """
    owners: list[int] = []
    keys: list[str] = []
    shown: list[str] = []
    for entity_id, entity_names in names.items():
        for n in entity_names:
            for k in name_keys(n):
                owners.append(entity_id)
                keys.append(k)
                shown.append(n)
    if len(keys) < 2:
        return []
    matrix = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=min_score, workers=-1)
    best: dict[tuple[int, int], Suggestion] = {}
    rows, cols = matrix.nonzero()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if i >= j or owners[i] == owners[j]:
            continue
        score = _score(keys[i], keys[j])
        if score < min_score:
            continue
        pair = (min(owners[i], owners[j]), max(owners[i], owners[j]))
        left_name, right_name = (shown[i], shown[j]) if owners[i] == pair[0] else (shown[j], shown[i])
        if pair not in best or score > best[pair].score:
            best[pair] = Suggestion(pair[0], pair[1], score, left_name, right_name)
    return sorted(best.values(), key=lambda s: (-s.score, s.left, s.right))
