"""Acronym definitions inside one degraded document: "union of rationalist atheists and
agnostics ( uaar )" or "the nemisis database ... the national enforcement management information
system and intelligence system". A token whose letters are the initials of a run of words in the
same document is an acronym (upper-cased) and the run is its name (content words capitalized).

Pure string work over the document's tokens; returns per-position case overrides.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate

# An acronym has at least this many letters (two-letter ones, "it", "us", match by chance).
MIN_ACRONYM = 3
MAX_ACRONYM = 8
# An acronym defined far from its expansion needs more letters to rule out chance matches.
MIN_REMOTE_ACRONYM = 4
# A known word is an acronym candidate only if the model capitalizes it at least this often
# (or spells it in capitals): "was" never matches "water and sewage".
MIN_KNOWN_CAP = 0.05

# A shorter acronym may match far from its definition when the run it spells ends with an
# organization head ("new people party" for "npp"): a chance match rarely ends that way.
MIN_REMOTE_HEADED_ACRONYM = 3
# A known word is matched against runs far away only if it is this often capitalized.
MIN_REMOTE_CAP = 0.3

Position = tuple[int, int]  # (line index, token index)


def _candidate(token: str, cap_probability: dict[str, float], forms: dict[str, str]) -> bool:
    if not MIN_ACRONYM <= len(token) <= MAX_ACRONYM or not token.isalnum() or token.isdigit():
        return False
    if not token[0].isalpha():
        return False
    probability = cap_probability.get(token)
    return probability is None or probability >= MIN_KNOWN_CAP or forms.get(token, "").isupper()


def _initial_run(
    words: Sequence[str], start: int, letters: str, connectors: frozenset[str]
) -> int | None:
    """End index of a run starting at ``start`` whose content-word initials spell ``letters``
    exactly (connectors such as "of", "and" skipped inside the run); None if there is none."""
    position, matched = start, 0
    while matched < len(letters):
        if position >= len(words):
            return None
        word = words[position]
        if matched and word in connectors:
            position += 1
            continue
        if not word[:1].isalnum() or word[0] != letters[matched]:
            return None
        matched += 1
        position += 1
    return position


def _content_before(
    words: Sequence[str], end: int, count: int, connectors: frozenset[str]
) -> int | None:
    """Start index of the ``count`` content words ending just before ``end`` (connectors inside
    skipped); None when a non-word interrupts them."""
    position, found = end, 0
    while found < count:
        position -= 1
        if position < 0 or not words[position][:1].isalnum():
            return None
        if words[position] in connectors and found:
            continue
        if words[position] in connectors:
            return None
        found += 1
    return position


def _cased_run(words: Sequence[str], start: int, end: int, connectors: frozenset[str]) -> list:
    return [
        (index, word if word in connectors and index > start else word[:1].upper() + word[1:])
        for index, word in enumerate(words[start:end], start)
    ]


def acronym_overrides(
    lines: Sequence[Sequence[str]],
    cap_probability: dict[str, float],
    forms: dict[str, str],
    connectors: frozenset[str],
    organization_heads: frozenset[str] = frozenset(),
) -> dict[Position, str]:
    """Case overrides for acronyms defined in the document and the names they abbreviate.

    ``organization_heads`` ("party", "council") let three-letter acronyms match remote runs
    ending with one of them."""
    flat = [token for tokens in lines for token in tokens]
    distinct = set(flat)
    candidates = {
        token
        for token in distinct
        # the length test first: it rules out most words before any lookup
        if MIN_ACRONYM <= len(token) <= MAX_ACRONYM
        and token not in connectors
        and _candidate(token, cap_probability, forms)
    }
    # A common word in parentheses right after words whose initials spell it, in order, is an
    # acronym too ("nigerian union of teachers ( nut )"); it is matched nowhere else.
    bracketed = set()
    if "(" in distinct:
        bracketed = {
            token
            for index, token in enumerate(flat[1:-1], 1)
            if flat[index - 1] == "("
            and flat[index + 1] == ")"
            and token.isalpha()
            and MIN_ACRONYM <= len(token) <= MAX_ACRONYM
            and token not in candidates
            and token not in connectors
        }
    if not candidates and not bracketed:
        return {}
    occurrences: dict[str, list[int]] = {}
    head_positions: dict[str, list[int]] = {}
    matched = candidates | bracketed
    heads = organization_heads & distinct
    for index, token in enumerate(flat):
        if token in matched:
            occurrences.setdefault(token, []).append(index)
        if token in heads:
            head_positions.setdefault(token[0], []).append(index)
    run_starts: _RunStarts | None = None  # built when a remote match needs it
    overrides: dict[int, str] = {}
    for acronym in bracketed:
        runs = [
            (start, end)
            for start, end in _adjacent_definitions(flat, acronym, occurrences[acronym], connectors)
            if _initial_run(flat, start, acronym, connectors) == end
        ]
        for start, end in runs:
            overrides.update(_cased_run(flat, start, end, connectors))
            overrides[end + 1] = acronym.upper()
    for acronym in candidates:
        runs = _adjacent_definitions(flat, acronym, occurrences[acronym], connectors)
        # Matching far away is costlier and riskier: only for words that look like names or
        # acronyms (unknown to the model, often capitalized, or spelled in capitals by it).
        probability = cap_probability.get(acronym)
        remote = (
            probability is None or probability >= MIN_REMOTE_CAP or forms.get(acronym, "").isupper()
        )
        if remote and len(acronym) >= MIN_REMOTE_ACRONYM:
            if run_starts is None:
                run_starts = _RunStarts(flat, connectors)
            for start in run_starts.opening(acronym[:2]):
                if flat[start] == acronym:
                    continue
                end = _initial_run(flat, start, acronym, connectors)
                if end is not None and end - start > 1:
                    runs.append((start, end))
        elif remote and len(acronym) >= MIN_REMOTE_HEADED_ACRONYM:
            runs += _headed_runs(flat, acronym, head_positions.get(acronym[-1], ()), connectors)
        if not runs:
            continue
        for start, end in runs:
            overrides.update(_cased_run(flat, start, end, connectors))
        for index in occurrences[acronym]:
            overrides[index] = acronym.upper()
    line_starts = list(accumulate((len(tokens) for tokens in lines), initial=0))
    placed = {}
    for index, form in overrides.items():
        line_index = bisect_right(line_starts, index) - 1
        placed[(line_index, index - line_starts[line_index])] = form
    return placed


class _RunStarts:
    """Positions that may open a run of initials, found by the run's first two initials: the
    word's own and the next content word's (connectors are skipped after the first word, as in
    ``_initial_run``). The content words' initials are one string, so the positions of a pair
    are found by string search rather than a pass over the words per document."""

    def __init__(self, flat: Sequence[str], connectors: frozenset[str]) -> None:
        self.flat = flat
        self.connectors = connectors
        self.content = [index for index, token in enumerate(flat) if token not in connectors]
        # One character per content word: its initial, or a space when it is no letter or digit.
        self.initials = "".join(
            [flat[index][:1] if flat[index][:1].isalnum() else " " for index in self.content]
        )
        self._connector_positions: list[int] | None = None
        self._found: dict[str, list[int]] = {}

    def opening(self, pair: str) -> list[int]:
        """Positions, in order, of the words whose initial and the next content word's initial
        are ``pair`` (two letters or digits)."""
        found = self._found.get(pair)
        if found is not None:
            return found
        initials, content = self.initials, self.content
        found = []
        position = initials.find(pair)
        while position != -1:
            found.append(content[position])
            position = initials.find(pair, position + 1)
        # A connector opens a run too when its own initial starts it ("the national ...").
        if any(connector[:1] == pair[0] for connector in self.connectors):
            if self._connector_positions is None:
                connectors = self.connectors
                self._connector_positions = [
                    index for index, token in enumerate(self.flat) if token in connectors
                ]
            for index in self._connector_positions:
                if self.flat[index][:1] == pair[0]:
                    following = bisect_right(content, index)
                    if following < len(initials) and initials[following] == pair[1]:
                        found.append(index)
            found.sort()
        self._found[pair] = found
        return found


def _headed_runs(
    flat: Sequence[str], acronym: str, heads: Sequence[int], connectors: frozenset[str]
) -> list[tuple[int, int]]:
    """Runs ending with an organization head (at one of ``heads``) whose content-word initials
    spell ``acronym`` in order ("new people party" for "npp")."""
    runs = []
    for head in heads:
        start = _content_before(flat, head + 1, len(acronym), connectors)
        if start is not None and _initial_run(flat, start, acronym, connectors) == head + 1:
            runs.append((start, head + 1))
    return runs


def _adjacent_definitions(
    flat: Sequence[str], acronym: str, occurrences: Sequence[int], connectors: frozenset[str]
) -> list[tuple[int, int]]:
    """Runs defining ``acronym`` (found at ``occurrences``) right beside it in parentheses:
    "words ( acr )" (initials in any order, as translated names reorder them) or
    "acr ( words )"."""
    runs = []
    letters = Counter(acronym)
    for index in occurrences:
        if index >= 2 and flat[index - 1] == "(" and flat[index + 1 : index + 2] == [")"]:
            start = _content_before(flat, index - 1, len(acronym), connectors)
            if start is not None and flat[start][0] == acronym[0]:
                initials = Counter(w[0] for w in flat[start : index - 1] if w not in connectors)
                if initials == letters:
                    runs.append((start, index - 1))
        if flat[index + 1 : index + 2] == ["("]:
            end = _definition_end(flat, index + 2, len(acronym), connectors)
            if end is not None and _initials(flat[index + 2 : end], connectors) == letters:
                runs.append((index + 2, end))
    return runs


def _initials(words: Sequence[str], connectors: frozenset[str]) -> Counter:
    return Counter(word[0] for word in words if word not in connectors)


def _definition_end(
    flat: Sequence[str], start: int, count: int, connectors: frozenset[str]
) -> int | None:
    """Index of the ")" closing a parenthesized run of ``count`` content words (connectors
    inside allowed) that starts at ``start``; None when something else closes or interrupts it."""
    position, found = start, 0
    while position < len(flat) and found <= count:
        word = flat[position]
        if word == ")":
            return position if found == count and position > start else None
        if not word[:1].isalnum():
            return None
        if not (found and word in connectors):
            found += 1
        position += 1
    return None
