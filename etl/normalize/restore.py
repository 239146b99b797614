"""Restore punctuation spacing, apostrophes and casing of a degraded (lower-cased, tokenized) text.

Works line by line on whitespace tokens: pure dictionary and string work, no NLP model. Every
output character keeps the index of the raw character it came from.
"""

from __future__ import annotations

import re

from etl.normalize.evidence import CaseEvidence
from etl.normalize.lexicon import CasingLexicon

_TOKEN_RE = re.compile(r"\S+")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)+$")
_NAME_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_'’]*$")
_WORDLIKE_RE = re.compile(r"\w")
_DIGITS_RE = re.compile(r"^\d")

NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "?", "!", ")", "]", "}", "...", "%"})
NO_SPACE_AFTER = frozenset({"(", "[", "{"})
SENTENCE_END = frozenset({".", "?", "!"})
VOWELS = frozenset("aeiouyàâäéèêëîïôöûüæœ")

# A word is capitalized mid-sentence when the model says so at least this often.
CAPITALIZE_AT = 0.5
# Weaker evidence that suffices next to another name ("mark zuckerberg", "respublika-ata zhurt").
NAME_NEIGHBOUR_AT = 0.15
# A name-like neighbour must be at least this strongly capitalized (or unknown) to pull others.
STRONG_NAME_AT = 0.8
# Very common words need context before corpus evidence may capitalize them ("will", "us").
COMMON_WORD_BELOW = 0.02
MAX_DATELINE_WORDS = 5
# Longest part of a hyphenated romanized given name ("Cheuk-yan", "Wai-ching").
MAX_GIVEN_NAME_PART = 6
# A lower-case word this often capitalized before a title is a modifier ("city mayor", "district
# councillor"): the title stays lower case.
TITLE_MODIFIER_AT = 0.05
# A word seen in the corpus only inside multi-word names is a name alone if the model agrees a bit.
NAME_WORD_EVIDENCE_AT = 0.3
# Modifiers before an organization head join its name when this often capitalized on their own.
HEAD_MODIFIER_AT = 0.02
MAX_HEAD_MODIFIERS = 3
# A lower-case object of an organization head ("Ministry of culture") needs at least this length.
MIN_OBJECT_LETTERS = 4
# A short word takes its acronym form from context only if it is sometimes capitalized anyway.
ACRONYM_MIN_CAP = 0.01

# Decision kinds for a word: capitalized as a name (can pull neighbours), or not.
NAME = 2
CAPITAL = 1
LOWER = 0


def _apply_form(token: str, form: str) -> str:
    """Use ``form`` only when it is a pure case change of ``token`` (keeps offsets 1:1)."""
    if len(form) == len(token) and form.lower() == token and form != token:
        return form
    return token


def _capitalize_first(token: str) -> str:
    for index, char in enumerate(token):
        if char.isalpha():
            upper = char.upper()
            if len(upper) != 1:
                return token
            return token[:index] + upper + token[index + 1 :]
    return token


def _is_word(token: str) -> bool:
    return bool(_WORDLIKE_RE.search(token))


class LineRestorer:
    """Restores one line of tokens; holds the lexicon and the evidence for a document."""

    def __init__(self, lexicon: CasingLexicon, evidence: CaseEvidence | None) -> None:
        self.lex = lexicon
        self.evidence = evidence or CaseEvidence()
        self.evidence_starts = self.evidence.phrase_starts
        self.titles = frozenset(title for titles in lexicon.titles.values() for title in titles)
        self.title_words = frozenset(
            word for titles in lexicon.titles.values() for title in titles for word in title.split()
        )

    # --- single-word decisions -------------------------------------------------------------
    def word_form(self, token: str) -> tuple[str, int, float]:
        """Cased form of one lower-case token, its decision kind and its capitalization score."""
        lex = self.lex
        if token.endswith(".") and len(token) > 1:
            return self._abbreviation_form(token)
        probability = lex.cap_probability.get(token)
        evidence_form = self.evidence.forms.get(token)
        if evidence_form and (probability is None or probability >= COMMON_WORD_BELOW):
            return _apply_form(token, evidence_form), NAME, 1.0
        name_word = self.evidence.name_words.get(token)
        if name_word and (probability is None or probability >= NAME_WORD_EVIDENCE_AT):
            return _apply_form(token, name_word), NAME, 1.0
        if token in self.evidence.lowercase and (probability is None or probability < 0.9):
            # Keep the model's score: a strong name beside it may still pull it ("Tom Cruise").
            return token, LOWER, probability or 0.0
        if "-" in token.strip("-"):
            return self._hyphenated_form(token)
        if probability is None:
            if len(token) > 1 and _NAME_WORD_RE.match(token):
                return _capitalize_first(token), NAME, 1.0
            return token, LOWER, 0.0
        if probability >= CAPITALIZE_AT:
            return _apply_form(token, lex.forms[token]), NAME, probability
        return token, LOWER, probability

    def _abbreviation_form(self, token: str) -> tuple[str, int, float]:
        lex = self.lex
        if token in lex.lowercase_abbreviations:
            return token, LOWER, 0.0
        form = lex.abbreviations.get(token)
        if form:
            return _apply_form(token, form), CAPITAL, 1.0
        if _INITIALS_RE.match(token):
            return token.upper() if len(token.upper()) == len(token) else token, NAME, 1.0
        stem, kind, probability = self.word_form(token[:-1])
        return stem + ".", kind, probability

    def _hyphenated_form(self, token: str) -> tuple[str, int, float]:
        parts = token.split("-")
        decided = [self.word_form(part) if part else (part, LOWER, 0.0) for part in parts]
        if not any(kind == NAME for _, kind, _ in decided):
            return token, LOWER, 0.0
        cased = [decided[0][0]]
        for part, (form, _, probability) in zip(parts[1:], decided[1:], strict=True):
            # Later parts keep their own known casing ("ex-Soviet"); unknown ones stay lower,
            # as in romanized given names ("Wai-ching").
            known_capital = probability >= CAPITALIZE_AT and part in self.lex.cap_probability
            cased.append(form if known_capital else part)
        return "-".join(cased), NAME, max(p for _, _, p in decided)

    # --- a line ----------------------------------------------------------------------------
    def case_line(self, tokens: list[str], joints: list[str]) -> list[str]:
        """Cased output for every token of one line (punctuation tokens unchanged).

        ``joints[i]`` is what precedes token ``i``; tokens glued by an apostrophe (clitics,
        elided letters) keep their case and are not words for the casing rules.
        """
        count = len(tokens)
        out = list(tokens)
        kinds = [LOWER] * count
        scores = [0.0] * count
        is_word = [
            _is_word(token)
            and joints[index] != "'"
            and (index + 1 >= count or joints[index + 1] != "'" or len(token) > 1)
            for index, token in enumerate(tokens)
        ]
        index = 0
        while index < count:
            if not is_word[index]:
                index += 1
                continue
            matched = self._match_phrase(tokens, index)
            if matched:
                for offset, form in enumerate(matched):
                    position = index + offset
                    out[position] = _apply_form(tokens[position], form)
                    kinds[position] = NAME if out[position] != tokens[position] else LOWER
                    scores[position] = 1.0
                index += len(matched)
                continue
            out[index], kinds[index], scores[index] = self.word_form(tokens[index])
            index += 1
        self._extend_names(tokens, out, kinds, scores, is_word)
        self._hyphenated_given_names(tokens, out, kinds, is_word)
        self._organization_heads(tokens, out, kinds, is_word)
        self._head_of_object(tokens, out, kinds, is_word)
        self._titles_and_months(tokens, out, kinds, is_word)
        starts = self._dateline(tokens, out)
        self._sentence_starts(tokens, out, is_word, starts)
        return out

    def _match_phrase(self, tokens: list[str], index: int) -> list[str] | None:
        token = tokens[index]
        sources = []
        if token in self.evidence_starts:
            sources.append(self.evidence.phrases)
        if token in self.lex.phrase_starts:
            sources.append(self.lex.phrases)
        for phrases in sources:
            for size in range(min(self.lex.max_phrase_words, len(tokens) - index), 1, -1):
                words = " ".join(tokens[index : index + size])
                form = phrases.get(words)
                # Titles ("prime minister") are capitalized only before a name (title rule).
                if form and (phrases is self.evidence.phrases or words not in self.titles):
                    return form.split(" ")
        return None

    def _extend_names(self, tokens, out, kinds, scores, is_word) -> None:
        """Capitalize weak name words next to strong names ("mark zuckerberg" -> both)."""
        count = len(tokens)
        lex = self.lex
        for index in range(count):
            if kinds[index] != NAME or scores[index] < STRONG_NAME_AT:
                continue
            for neighbour in (index - 1, index + 1):
                if not 0 <= neighbour < count or not is_word[neighbour]:
                    continue
                if tokens[neighbour] in self.title_words:
                    continue  # titles are capitalized only by the title rule
                if kinds[neighbour] == LOWER and scores[neighbour] >= NAME_NEIGHBOUR_AT:
                    form = lex.forms.get(tokens[neighbour], tokens[neighbour])
                    out[neighbour] = _apply_form(tokens[neighbour], form)
                    if out[neighbour] == tokens[neighbour]:
                        out[neighbour] = _capitalize_first(tokens[neighbour])
                    kinds[neighbour] = CAPITAL

    def _hyphenated_given_names(self, tokens, out, kinds, is_word) -> None:
        """A short two-part hyphenated word right after a name is a romanized given name
        ("hau lung-bin" -> "Hau Lung-bin"), unless it starts with a prefix ("re-elected")."""
        for index in range(1, len(tokens)):
            parts = tokens[index].split("-")
            if (
                kinds[index] == LOWER
                and kinds[index - 1] == NAME
                and is_word[index - 1]
                and len(parts) == 2
                and parts[0] not in self.lex.hyphen_prefixes
                and all(0 < len(part) <= MAX_GIVEN_NAME_PART and part.isalpha() for part in parts)
            ):
                out[index] = _capitalize_first(tokens[index])
                kinds[index] = NAME

    def _name_modifiers(self, tokens, kinds, is_word, head: int) -> int:
        """Start of the run of name-like modifiers before an organization head ("legislative
        council", "google science fair"); ``head`` itself when there is none."""
        cap_probability = self.lex.cap_probability
        start = head
        while start > 0 and head - start < MAX_HEAD_MODIFIERS and is_word[start - 1]:
            word = tokens[start - 1]
            if kinds[start - 1] == LOWER and not (
                cap_probability.get(word, 0.0) >= HEAD_MODIFIER_AT
                and word not in self.lex.organization_heads
                and word not in self.lex.generic_modifiers
                and word not in self.title_words
                and _NAME_WORD_RE.match(word)
            ):
                break
            start -= 1
        return start

    def _organization_heads(self, tokens, out, kinds, is_word) -> None:
        heads = self.lex.organization_heads
        count = len(tokens)
        for index, token in enumerate(tokens):
            if token not in heads:
                continue
            start = index
            if token in self.lex.name_run_heads:
                start = self._name_modifiers(tokens, kinds, is_word, index)
            if start < index and any(kinds[p] == LOWER for p in range(start, index)):
                for position in range(start, index + 1):
                    if kinds[position] == LOWER:
                        out[position] = _capitalize_first(tokens[position])
                        kinds[position] = CAPITAL
                continue
            if kinds[index] != LOWER:
                continue
            after_name = index > 0 and is_word[index - 1] and kinds[index - 1] != LOWER
            before_name = (
                index + 2 < count and tokens[index + 1] == "of" and kinds[index + 2] == NAME
            )
            if after_name or before_name:
                out[index] = _capitalize_first(token)
                kinds[index] = CAPITAL

    def _head_of_object(self, tokens, out, kinds, is_word) -> None:
        """A one-word object of a capitalized organization head joins the name ("Greek Ministry
        of culture" -> "Ministry of Culture") when nothing lower-case follows it."""
        count = len(tokens)
        for index in range(count - 2):
            if (
                tokens[index] in self.lex.name_run_heads
                and kinds[index] != LOWER
                and tokens[index + 1] == "of"
                and kinds[index + 2] == LOWER
                and len(tokens[index + 2]) >= MIN_OBJECT_LETTERS
                and _NAME_WORD_RE.match(tokens[index + 2])
                and (index + 3 >= count or not is_word[index + 3] or kinds[index + 3] == NAME)
            ):
                out[index + 2] = _capitalize_first(tokens[index + 2])
                kinds[index + 2] = CAPITAL

    def _acronym_before_title(self, tokens, out, kinds, index) -> None:
        """A short word whose capital form is an acronym ("us" / "US") takes that form before a
        title ("US President") or after "the" ("the US economy")."""
        token = tokens[index]
        if kinds[index] != LOWER or len(token) > 4:
            return
        form = self.lex.forms.get(token, token)
        if not form.isupper() or len(form) != len(token):
            return
        if self.lex.cap_probability.get(token, 0.0) < ACRONYM_MIN_CAP:
            return  # an ordinary word whose rare capital form is an acronym ("mean" / "MEAN")
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        previous = tokens[index - 1] if index else ""
        titles = self.lex.titles.get(following, ())
        before_title = any(
            tokens[index + 1 : index + 1 + len(title.split(" "))] == title.split(" ")
            for title in titles
        )
        if before_title or previous == "the":
            out[index] = form
            kinds[index] = CAPITAL

    def _title_may_open(self, tokens, out, is_word, index) -> bool:
        """A title before a name is capitalized unless a determiner or a name-like common noun
        modifies it ("the mayor Luca Pastorino", "city mayor Hau Lung-bin")."""
        if index == 0 or not is_word[index - 1] or out[index - 1] != tokens[index - 1]:
            return True
        previous = tokens[index - 1]
        if previous in self.lex.title_blockers:
            return False
        return self.lex.cap_probability.get(previous, 0.0) < TITLE_MODIFIER_AT

    def _titles_and_months(self, tokens, out, kinds, is_word) -> None:
        lex = self.lex
        count = len(tokens)
        for index, token in enumerate(tokens):
            titles = lex.titles.get(token)
            if titles and kinds[index] == LOWER:
                for title in titles:
                    words = title.split(" ")
                    end = index + len(words)
                    if (
                        end < count
                        and self._title_may_open(tokens, out, is_word, index)
                        and tokens[index:end] == words
                        and kinds[end] == NAME
                        and not _DIGITS_RE.match(tokens[end])
                    ):
                        for position in range(index, end):
                            out[position] = _capitalize_first(tokens[position])
                            kinds[position] = CAPITAL
                        break
            if is_word[index]:
                self._acronym_before_title(tokens, out, kinds, index)
            month = lex.months.get(token)
            if month and kinds[index] == LOWER:
                following = tokens[index + 1] if index + 1 < count else ""
                previous = tokens[index - 1] if index else ""
                if _DIGITS_RE.match(following) or previous in lex.month_cues:
                    out[index] = _apply_form(token, month)
                    kinds[index] = CAPITAL

    def _dateline(self, tokens: list[str], out: list[str]) -> set[int]:
        """``bishkek ( reuters ) -`` -> ``BISHKEK (Reuters) -``; returns extra sentence starts."""
        lex = self.lex
        for index in range(1, min(len(tokens) - 2, MAX_DATELINE_WORDS + 1)):
            if (
                tokens[index] == "("
                and tokens[index + 2] == ")"
                and tokens[index + 1] in lex.agencies
            ):
                for position in range(index):
                    out[position] = tokens[position].upper()
                    if len(out[position]) != len(tokens[position]):
                        out[position] = tokens[position]
                agency = tokens[index + 1]
                out[index + 1] = _apply_form(agency, lex.agencies[agency])
                after = index + 3
                if after < len(tokens) and tokens[after] in {"-", "--"}:
                    after += 1
                return {after}
        return set()

    def _sentence_starts(self, tokens, out, is_word, starts: set[int]) -> None:
        at_start = True
        for index, token in enumerate(tokens):
            if is_word[index]:
                if at_start or index in starts:
                    out[index] = _capitalize_first(out[index])
                at_start = False
            elif token in SENTENCE_END:
                at_start = True


def _join_decision(previous: str, token: str, lex: CasingLexicon, before_previous: str) -> str:
    """What goes between two tokens: " ", "" or "'" (a restored apostrophe)."""
    if token in NO_SPACE_BEFORE or previous in NO_SPACE_AFTER:
        return ""
    clitic = lex.clitics.get(token)
    if clitic and _is_word(previous) and previous[-1].isalnum():
        allowed, _ = clitic
        if "*" in allowed or previous in allowed or ("*n" in allowed and previous.endswith("n")):
            return "'"
    elision = lex.elisions.get(previous)
    if (
        elision
        and before_previous
        and _is_word(before_previous)
        and token[:1].isalpha()
        and (token in elision or ("*v" in elision and token[0] in VOWELS))
    ):
        return "'"
    return " "


def restore_text(
    text: str, lexicon: CasingLexicon, evidence: CaseEvidence | None
) -> tuple[str, list[int]]:
    """Restore a cleaned degraded text; returns the new text and offsets into ``text``."""
    restorer = LineRestorer(lexicon, evidence)
    pieces: list[str] = []
    offsets: list[int] = []
    line_start = 0
    for line in text.split("\n"):
        if line_start:
            pieces.append("\n")
            offsets.append(line_start - 1)
        matches = list(_TOKEN_RE.finditer(line))
        tokens = [match.group() for match in matches]
        spans = [(line_start + m.start(), line_start + m.end()) for m in matches]
        _drop_repeated_final_period(tokens, spans)
        joints = [""] + [
            _join_decision(tokens[i - 1], tokens[i], lexicon, tokens[i - 2] if i > 1 else "")
            for i in range(1, len(tokens))
        ]
        cased = restorer.case_line(tokens, joints)
        for index, (form, (start, end)) in enumerate(zip(cased, spans, strict=True)):
            if index:
                joint = joints[index]
                if joint:
                    pieces.append(joint)
                    offsets.append(spans[index - 1][1])
            pieces.append(form)
            offsets.extend(range(start, end))
        line_start += len(line) + 1
    offsets.append(len(text))
    return "".join(pieces), offsets


def _drop_repeated_final_period(tokens: list[str], spans: list[tuple[int, int]]) -> None:
    """``in the u.s. .``: the tokenizer added a period after a final abbreviation; drop it."""
    if len(tokens) < 2 or tokens[-1] != ".":
        return
    before = tokens[-2]
    if before.endswith(".") and len(before) > 1 and not before.endswith(".."):
        del tokens[-1]
        del spans[-1]
