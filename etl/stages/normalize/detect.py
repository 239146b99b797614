"""Detect degraded wire copy: lower-cased text, usually with spaced punctuation and stripped
apostrophes ("kazakhstan s foreign ministry , he said .")."""

from __future__ import annotations

import re

# A punctuation mark standing alone between spaces or at a line end, as tokenized wire copy has.
_SPACED_PUNCT_RE = re.compile(r"(?<=\S) [,.;:?!)](?= |$|\n)|\( (?=\S)", re.MULTILINE)
# Punctuation glued to the previous word, as running text has. A period counts only after a
# word of two or more characters with no period inside: initials ("u.n.", "u.s.") keep their
# periods in tokenized wire copy too.
_ATTACHED_PUNCT_RE = re.compile(r"[^\W_][,;:?!)]|(?<![\w.])[^\W_]{2,}\.(?=\s|$)")
# "kazakhstan s", "don t", "we ll": a clitic left alone after apostrophe stripping.
_STRIPPED_CLITIC_RE = re.compile(r"[^\W\d_] (?:s|t|ll|re|ve|m|d) (?=[^\W\d_])")

# Below this many lower-case letters a text is too short to judge; it is left alone.
MIN_LETTERS = 12
# A lower-case text this long is degraded even with no punctuation at all.
MIN_WORDS_UNPUNCTUATED = 40


def _capitalizable(char: str) -> bool:
    upper = char.upper()
    return len(upper) == 1 and upper != char


def _has_min_letters(raw: str) -> bool:
    """True once ``MIN_LETTERS`` capitalizable letters are seen (stops there: O(1) per doc)."""
    letters = 0
    for char in raw:
        if _capitalizable(char):
            letters += 1
            if letters >= MIN_LETTERS:
                return True
    return False


def is_degraded(raw: str) -> bool:
    """True when the text has no capital letter and looks like tokenized or stripped wire copy.

    Rules: no upper-case letter at all; at least ``MIN_LETTERS`` letters that have a capital;
    then either spaced punctuation outnumbers attached punctuation, or apostrophes were stripped,
    or the text is long (a lower-case article rather than a chat line).
    """
    if raw.lower() != raw:
        return False
    if not _has_min_letters(raw):
        return False
    # Checked first because it is the cheapest scan and settles most wire copy on its own.
    if _STRIPPED_CLITIC_RE.search(raw):
        return True
    spaced = len(_SPACED_PUNCT_RE.findall(raw))
    attached = len(_ATTACHED_PUNCT_RE.findall(raw))
    if spaced and spaced >= 2 * attached:
        return True
    return len(raw.split()) >= MIN_WORDS_UNPUNCTUATED
