"""Detect degraded wire copy: lower-cased text, usually with spaced punctuation and stripped
apostrophes ("kazakhstan s foreign ministry , he said .")."""

from __future__ import annotations

import re

# A punctuation mark standing alone between spaces or at a line end, as tokenized wire copy has.
_SPACED_PUNCT_RE = re.compile(r"(?<=\S) [,.;:?!)](?= |$|\n)|\( (?=\S)", re.MULTILINE)
# Punctuation glued to the previous word, as running text has.
_ATTACHED_PUNCT_RE = re.compile(r"[^\W_][,;:?!)]|[^\W_]\.(?=\s|$)")
# "kazakhstan s", "don t", "we ll": a clitic left alone after apostrophe stripping.
_STRIPPED_CLITIC_RE = re.compile(r"[^\W\d_] (?:s|t|ll|re|ve|m|d) (?=[^\W\d_])")

# Below this many lower-case letters a text is too short to judge; it is left alone.
MIN_LETTERS = 12
# A lower-case text this long is degraded even with no punctuation at all.
MIN_WORDS_UNPUNCTUATED = 40


def _capitalizable(char: str) -> bool:
    upper = char.upper()
    return len(upper) == 1 and upper != char


def is_degraded(raw: str) -> bool:
    """True when the text has no capital letter and looks like tokenized or stripped wire copy.

    Rules: no upper-case letter at all; at least ``MIN_LETTERS`` letters that have a capital;
    then either spaced punctuation outnumbers attached punctuation, or apostrophes were stripped,
    or the text is long (a lower-case article rather than a chat line).
    """
    if raw.lower() != raw:
        return False
    # Counting over a prefix is enough to pass the threshold and keeps detection O(1) per doc.
    letters = sum(1 for char in raw[:4000] if _capitalizable(char))
    if letters < MIN_LETTERS:
        return False
    spaced = len(_SPACED_PUNCT_RE.findall(raw))
    attached = len(_ATTACHED_PUNCT_RE.findall(raw))
    if spaced and spaced >= 2 * attached:
        return True
    if _STRIPPED_CLITIC_RE.search(raw):
        return True
    return len(raw.split()) >= MIN_WORDS_UNPUNCTUATED
