"""Case evidence from the corpus itself: how well-formed documents of the same run, and entity
names already in the warehouse, spell words that the generic model may not know
("Omurbek Babanov", "Sooronbai Jeenbekov")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD_RE = re.compile(r"(?<!\w)[^\W\d_](?:[\w'’.-]*[^\W_])?")
# A word right after one of these (or at a line start) may be capitalized only for position.
_SENTENCE_BREAK_RE = re.compile(r"(?:^|[.!?:;\"“”‘’(\[\-–—]|\n)\s*$")
# A line whose words are mostly capitalized is a title-case headline: its casing proves nothing.
HEADLINE_CAPITAL_SHARE = 0.6
# Mid-sentence capitalized sightings needed, and their required majority over lower-case ones.
MIN_CAPITAL_SIGHTINGS = 1


@dataclass(frozen=True)
class CaseEvidence:
    """Spellings observed in the corpus; overrides the generic casing model. Picklable."""

    forms: dict[str, str] = field(default_factory=dict)  # lower word -> observed capitalized form
    lowercase: frozenset[str] = frozenset()  # words seen mostly lower-case mid-sentence
    phrases: dict[str, str] = field(default_factory=dict)  # lower multi-word name -> cased name
    # Words seen capitalized only inside multi-word names ("Civic" of "Civic Party"): weaker
    # than ``forms``, the restorer uses them only for words its model does not call common.
    name_words: dict[str, str] = field(default_factory=dict)

    @property
    def phrase_starts(self) -> frozenset[str]:
        return frozenset(phrase.split(" ", 1)[0] for phrase in self.phrases)


def _is_headline(words: list[str]) -> bool:
    capitals = sum(1 for word in words if word[0].isupper())
    return len(words) >= 3 and capitals >= HEADLINE_CAPITAL_SHARE * len(words)


def _capital_runs(line: str, matches: list) -> list[list[int]]:
    """Indexes of maximal runs of capitalized words separated by single spaces only."""
    runs: list[list[int]] = []
    for index, match in enumerate(matches):
        capitalized = match.group()[0].isupper()
        joined = index and line[matches[index - 1].end() : match.start()] == " "
        if capitalized and joined and runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        elif capitalized:
            runs.append([index])
    return runs


def _count_line(line: str, counts: dict, spelled: dict, phrases: dict) -> None:
    matches = list(_WORD_RE.finditer(line))
    if _is_headline([m.group() for m in matches]):
        return
    # Only the gap since the previous word can hold the break; searching the whole prefix of
    # every word would be quadratic in the line (wire copy often has one line per article).
    ends = [0] + [m.end() for m in matches[:-1]]
    at_break = [
        bool(_SENTENCE_BREAK_RE.search(line, end, m.start()))
        for end, m in zip(ends, matches, strict=False)
    ]
    in_run: set[int] = set()
    for run in _capital_runs(line, matches):
        if at_break[run[0]]:
            run = run[1:]  # a sentence-initial capital proves nothing about the first word
        if len(run) < 2:
            continue
        in_run.update(run)
        words = [matches[index].group().rstrip(".") for index in run]
        phrases[" ".join(words).lower()] = " ".join(words)
    for index, match in enumerate(matches):
        word = match.group().rstrip(".")
        if not word or at_break[index]:
            continue
        key = word.lower()
        if word == key:
            counts["lower"][key] += 1
        elif word[0].isupper():
            counts["in_name" if index in in_run else "capital"][key] += 1
            spelled.setdefault(key, Counter())[word] += 1


def _add_name(name: str, forms: dict[str, str], phrases: dict[str, str]) -> None:
    words = name.split()
    if not words or name.lower() == name:
        return
    if len(words) > 1:
        phrases[" ".join(words).lower()] = " ".join(words)
    for word in words:
        if word[:1].isupper() and word.isalpha():
            forms.setdefault(word.lower(), word)


def _trimmed_phrases(phrases: dict, lower: Counter, capital: Counter, in_name: Counter) -> dict:
    """Drop edge words mostly seen lower-case ("The Church" -> "Church"); keep multi-word rest."""
    trimmed: dict[str, str] = {}
    for form in phrases.values():
        words = form.split(" ")
        while (
            words
            and lower[words[0].lower()] > capital[words[0].lower()] + in_name[words[0].lower()]
        ):
            words = words[1:]
        while (
            words
            and lower[words[-1].lower()] > capital[words[-1].lower()] + in_name[words[-1].lower()]
        ):
            words = words[:-1]
        if len(words) >= 2:
            trimmed[" ".join(words).lower()] = " ".join(words)
    return trimmed


def build_case_evidence(cased_texts: Iterable[str], names: Iterable[str] = ()) -> CaseEvidence:
    """Collect spellings from well-formed texts (mid-sentence only) and canonical entity names.

    A word counts as a name when it was seen capitalized after a lower-case context more often
    than in lower case; sentence-initial and headline occurrences are ignored, so "The" or
    "However" never become names. Multi-word ``names`` become phrases; their single words
    become forms only through the restorer's own checks (see ``restore``).
    """
    counts: dict[str, Counter] = {"capital": Counter(), "lower": Counter(), "in_name": Counter()}
    capital, lower, in_name = counts["capital"], counts["lower"], counts["in_name"]
    spelled: dict[str, Counter] = {}
    phrases: dict[str, str] = {}
    for text in cased_texts:
        for line in text.splitlines():
            _count_line(line, counts, spelled, phrases)
    forms = {
        key: spelled[key].most_common(1)[0][0]
        for key, count in capital.items()
        if count >= MIN_CAPITAL_SIGHTINGS and count > lower[key]
    }
    lowercase = frozenset(key for key, count in lower.items() if count > capital[key])
    phrases = _trimmed_phrases(phrases, lower, capital, in_name)
    name_words = {
        key: spelled[key].most_common(1)[0][0]
        for key, count in in_name.items()
        if key not in forms and count + capital[key] > lower[key]
    }
    name_forms: dict[str, str] = {}
    for name in names:
        _add_name(name.strip(), name_forms, phrases)
    for key, form in name_forms.items():
        if key not in lowercase:
            forms.setdefault(key, form)
    return CaseEvidence(forms=forms, lowercase=lowercase, phrases=phrases, name_words=name_words)
