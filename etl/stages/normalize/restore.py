"""Restore punctuation spacing, apostrophes and casing of a degraded (lower-cased, tokenized) text.

Works line by line on whitespace tokens: pure dictionary and string work, no NLP model. Every
output character keeps the index of the raw character it came from.
"""

from __future__ import annotations

import re

from etl.stages.normalize.acronyms import acronym_overrides
from etl.stages.normalize.casing_model import (
    MAX_LENGTH_FEATURE,
    PACKAGED_MODEL,
    CasingModel,
    load_casing_model,
    pair_features,
    probability_band,
    scaled_logit,
    settled,
)
from etl.stages.normalize.evidence import CaseEvidence
from etl.stages.normalize.lexicon import (
    ACRONYM_MIN_CAP,
    MAX_ACRONYM_BEFORE_TITLE,
    CasingLexicon,
    phrase_sizes,
)

_TOKEN_RE = re.compile(r"\S+")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)+$")
_NAME_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_'’]*$")
_WORDLIKE_RE = re.compile(r"\w")
_DIGITS_RE = re.compile(r"^\d")
# A web address written as one token ("gawker.com", "cbc.ca"): its stem is cased like a word.
_DOMAIN_RE = re.compile(r"^(?P<stem>[^\W_][\w-]*)(?P<suffix>\.[a-z]{2,4})$")
# A web address with its scheme or "www." ("http://cnn.com/2007/us/...", "www.x.org/a-b"): its
# case is lost and mostly lower, so it is left as written, no word to case nor a sentence opener.
_WEB_ADDRESS_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)")
# A social-media handle ("@potus"): the name after the sign is cased like a word.
HANDLE_SIGN = "@"
# Plain words whose lexicon-only form is kept per process (``LineRestorer.cached_word_form``).
MAX_CACHED_WORD_FORMS = 200_000
# An unknown short word without a vowel can only be read letter by letter: an acronym.
_ACRONYM_SHAPE_RE = re.compile(r"^[bcdfghjklmnpqrstvwxz]{2,5}$")
# Endings of verb forms and plurals, which follow a bare given name far more often than surnames.
_INFLECTION_ENDINGS = ("ed", "ing", "s")
# One syllable of romanized Chinese or Korean ("wai", "ching", "cheung", "ki", "moon"): an
# optional onset, a vowel cluster, an optional nasal or stop coda.
_ROMANIZED_SYLLABLE_RE = re.compile(
    r"^(?:ch|sh|zh|ts|hs|ng|kw|gw|[bcdfghjklmnpqrstwxyz])?h?[aeiouy]{1,3}(?:ng|n|m|k|p|t)?$"
)

NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "?", "!", ")", "]", "}", "...", "%"})
NO_SPACE_AFTER = frozenset({"(", "[", "{"})
SENTENCE_END = frozenset({".", "?", "!"})
# A line ending in one of these is a clause cut off mid-sentence (degraded text is one sentence
# per line, as its source split it): the next line continues the sentence, in lower case.
CLAUSE_JOINERS = frozenset({";", ","})
VOWELS = frozenset("aeiouyàâäéèêëîïôöûüæœ")

# A word is capitalized mid-sentence when the model says so at least this often.
CAPITALIZE_AT = 0.5
# Weaker evidence that suffices next to another name ("mark zuckerberg", "respublika-ata zhurt").
NAME_NEIGHBOUR_AT = 0.15
# A name-like neighbour must be at least this strongly capitalized (or unknown) to pull a word
# as weak as NAME_NEIGHBOUR_AT.
STRONG_NAME_AT = 0.8
# A neighbour of a name below STRONG_NAME_AT joins it from this probability on.
NAME_PAIR_AT = 0.4
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
# A word after a prefix ("pro-", "pan-") keeps its capital only when it is clearly a name.
PREFIXED_NAME_AT = 0.7
# Longest organization name read after "<person> of"; a lone word this short there is an acronym.
MAX_AFFILIATION_WORDS = 4
MAX_AFFILIATION_ACRONYM = 4
# A lower-case object of an organization head ("Ministry of culture") needs at least this length.
MIN_OBJECT_LETTERS = 4
# Longest portfolio between a title and a name ("Minister of Foreign Affairs Jane Doe").
MAX_PORTFOLIO_WORDS = 2
PORTFOLIO_CONNECTORS = frozenset({"of", "for"})
# Connectors between an organization head and the fields it works on ("Council on ...").
FIELD_CONNECTORS = frozenset({"of", "for", "on"})
# An indefinite article before "<name> <head>" makes the head a common noun ("an Ottawa street").
INDEFINITE_ARTICLES = frozenset({"a", "an"})
# A surname read after a given name is capitalized alone elsewhere in the document when the
# model capitalizes its word at least this often ("Cruise" 0.37, "Brown" 0.39; not "Law" 0.03).
SURNAME_ECHO_AT = 0.3
# A word this often capitalized, coordinated with a strong name, is a name too ("Iran and
# turkey" -> "Turkey").
COORDINATED_NAME_AT = 0.4
COORDINATORS = frozenset({"and", "or"})
# Words that cannot follow "to" or "or" themselves: after "James to" they show "To" is a surname.
AFTER_SURNAME_ONLY = frozenset({"of", "was", "is", "has", "had", "said", "says", "who"})
# Words before "new year" that make it the named festival ("Chinese New Year"), besides the
# nationality adjectives.
NEW_YEAR_CUES = frozenset({"lunar"})

# The evidence of a document restored alone (never written to: shared by every restorer).
NO_EVIDENCE = CaseEvidence()
# Decision kinds for a word: capitalized as a name (can pull neighbours), or not.
NAME = 2
CAPITAL = 1
LOWER = 0
_KIND_NAMES = {NAME: "name", CAPITAL: "capital", LOWER: "lower"}
# First element of a context cache key: keeps it apart from word and neighbour keys.
_CONTEXT_KEY = "context"
# Neighbour keys of a line's first and last word (see ``_side_features``).
_PREV_EDGE = ("prev", "", False)
_NEXT_EDGE = ("next", "", False)


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


def _capitalize_title(token: str) -> str:
    """Every part of a hyphenated title is capitalized ("Secretary-General", "Vice-President")."""
    return "-".join(_capitalize_first(part) for part in token.split("-"))


def _is_word(token: str) -> bool:
    # A token opening with a letter or digit holds a word character; most do, so the regular
    # expression runs only for the rest (punctuation, "(reuters").
    return token[:1].isalnum() or bool(_WORDLIKE_RE.search(token))


class LineRestorer:
    """Restores one line of tokens; holds the lexicon and the evidence for a document."""

    def __init__(
        self,
        lexicon: CasingLexicon,
        evidence: CaseEvidence | None,
        model: CasingModel | None = None,
    ) -> None:
        self.lex = lexicon
        self.model = model
        self._phrase_positions: set[int] = set()
        self.evidence = evidence or NO_EVIDENCE
        self.evidence_starts = self.evidence.phrase_starts
        self._evidence_phrase_sizes = phrase_sizes(self.evidence.phrases)
        # Acronyms read from context in this document ("dab" -> "DAB"), for its other lines.
        self.context_acronyms: dict[str, str] = {}
        self._word_forms: dict[str, tuple[str, int, float]] = {}
        # Words the corpus evidence speaks of: their decision is never settled without it.
        self._evidence_words = (
            self.evidence.forms.keys() | self.evidence.name_words.keys() | self.evidence.lowercase
        )
        self.titles = lexicon.all_titles
        self.title_words = lexicon.title_words

    # --- single-word decisions -------------------------------------------------------------
    def cached_word_form(self, token: str) -> tuple[str, int, float]:
        """``word_form``, computed once per word type of the document (the lexicon and the
        evidence are fixed for it). A plain word (no period, hyphen or handle sign, whose parts
        could be read apart) that the corpus evidence does not mention depends on the lexicon
        alone: its form is kept across documents, in the lexicon's ``word_form_cache``."""
        decided = self._word_forms.get(token)
        if decided is None:
            if (
                token in self._evidence_words
                or "." in token
                or "-" in token
                or token.startswith(HANDLE_SIGN)
            ):
                decided = self.word_form(token)
            else:
                shared = self.lex.word_form_cache
                decided = shared.get(token)
                if decided is None:
                    if len(shared) >= MAX_CACHED_WORD_FORMS:
                        shared.clear()  # a long backfill must not grow the cache forever
                    decided = shared[token] = self.word_form(token)
            self._word_forms[token] = decided
        return decided

    def word_form(self, token: str) -> tuple[str, int, float]:
        """Cased form of one lower-case token, its decision kind and its capitalization score."""
        lex = self.lex
        if token.endswith(".") and len(token) > 1:
            return self._abbreviation_form(token)
        domain = _DOMAIN_RE.match(token) if "." in token else None
        if domain and domain["suffix"][1:] in lex.domain_suffixes:
            return self._prefixed_form(domain["stem"], "", domain["suffix"])
        if token.startswith(HANDLE_SIGN) and len(token) > 2:
            return self._prefixed_form(token[1:], HANDLE_SIGN, "")
        probability = lex.cap_probability.get(token)
        referring = self._refers_to_own_institution(token)
        evidence_form = None if referring else self.evidence.forms.get(token)
        if evidence_form and (probability is None or probability >= COMMON_WORD_BELOW):
            return _apply_form(token, evidence_form), NAME, 1.0
        name_word = None if referring else self.evidence.name_words.get(token)
        if name_word and (probability is None or probability >= NAME_WORD_EVIDENCE_AT):
            return _apply_form(token, name_word), NAME, 1.0
        if token in self.evidence.lowercase and (probability is None or probability < 0.9):
            # Keep the model's score: a strong name beside it may still pull it ("Tom Cruise").
            return token, LOWER, probability or 0.0
        if "-" in token.strip("-"):
            return self._hyphenated_form(token)
        if probability is None:
            if _ACRONYM_SHAPE_RE.match(token):  # no vowel: "nwsc", "bjp"
                return token.upper(), NAME, 1.0
            if len(token) > 1 and _NAME_WORD_RE.match(token) and not self._derived(token):
                return _capitalize_first(token), NAME, 1.0
            return token, LOWER, 0.0
        if probability >= CAPITALIZE_AT:
            return _apply_form(token, lex.forms[token]), NAME, probability
        return token, LOWER, probability

    def _refers_to_own_institution(self, token: str) -> bool:
        """A head or a title capitalized on its own elsewhere ("the Church", "the Court") refers
        to that document's own institution; it says nothing of this one's."""
        return token in self.lex.organization_heads or token in self.title_words

    def _prefixed_form(self, stem: str, before: str, after: str) -> tuple[str, int, float]:
        """A name inside a handle or web address keeps its casing only when it is a name; the
        sign and the domain suffix stay as written ("@POTUS", "Gawker.com")."""
        form, kind, probability = self.word_form(stem)
        if kind == NAME:
            return before + form + after, CAPITAL, probability
        return before + stem + after, LOWER, probability

    def _derived(self, token: str) -> bool:
        """True for an unknown word derived from a common word by a suffix ("localist")."""
        cap_probability = self.lex.cap_probability
        for suffix, endings in self.lex.derivational_suffixes.items():
            if len(token) > len(suffix) + 2 and token.endswith(suffix):
                stem = token[: -len(suffix)]
                for ending in endings:
                    probability = cap_probability.get(stem + ending)
                    if probability is not None and probability < COMMON_WORD_BELOW:
                        return True
        return False

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
        whole = self.lex.cap_probability.get(token)
        if whole is not None and whole >= CAPITALIZE_AT:  # "Coca-Cola", "Jean-Pierre"
            return _apply_form(token, self.lex.forms[token]), NAME, whole
        parts = token.split("-")
        decided = [self.word_form(part) if part else (part, LOWER, 0.0) for part in parts]
        if not any(kind == NAME for _, kind, _ in decided):
            return token, LOWER, 0.0
        if parts[0] in self.lex.hyphen_prefixes or not _NAME_WORD_RE.match(parts[0]):
            # "pro-Beijing", "non-Muslim", "ex-Soviet": the prefix stays, a clear name keeps its
            # case, a word only sometimes capitalized does not ("pan-democrat").
            cased = [parts[0]]
            cased += [
                form if kind == NAME and probability >= PREFIXED_NAME_AT else part
                for part, (form, kind, probability) in zip(parts[1:], decided[1:], strict=True)
            ]
            if cased == parts:
                return token, LOWER, 0.0
            return "-".join(cased), NAME, max(p for _, _, p in decided)
        syllables = all(_ROMANIZED_SYLLABLE_RE.match(part) for part in parts)
        # A romanized syllable is a name part, not an acronym ("Siu-lai", not "SIU-lai").
        cased = [_capitalize_first(parts[0] if syllables else decided[0][0])]
        for part, (form, _, probability) in zip(parts[1:], decided[1:], strict=True):
            # Later parts keep their own known casing ("Kazakh-Kyrgyz"); unknown ones and the
            # syllables of romanized given names stay lower ("Wai-ching", "Ban Ki-moon").
            known_capital = probability >= CAPITALIZE_AT and part in self.lex.cap_probability
            if known_capital and form.isupper() and probability < STRONG_NAME_AT:
                # A word only sometimes an acronym is a name part here ("Respublika-Ata
                # Zhurt"); clear acronyms keep their capitals ("Russia-NATO").
                form = _capitalize_first(part)
            cased.append(form if known_capital and not syllables else part)
        return "-".join(cased), NAME, max(p for _, _, p in decided)

    # --- a line ----------------------------------------------------------------------------
    def case_line(
        self,
        tokens: list[str],
        joints: list[str],
        overrides: dict[int, str] | None = None,
        pending: list | None = None,
        opens_sentence: bool = True,
    ) -> list[str]:
        """Cased output for every token of one line (punctuation tokens unchanged).

        ``joints[i]`` is what precedes token ``i``; tokens glued by an apostrophe (clitics,
        elided letters) keep their case and are not words for the casing rules. ``overrides``
        are document-level decisions (acronyms and their names) that win over the word model.
        The output is the rules' casing; ``pending``, when given, receives the words the
        learned decision (``casing_model``) is to decide once the whole document is read
        (``decide_document``), each with the features its line gives it. ``opens_sentence``:
        False when the line continues the previous line's sentence (``line_opens_sentence``).
        """
        count = len(tokens)
        out = list(tokens)
        kinds = [LOWER] * count
        scores = [0.0] * count
        is_word = [
            _is_word(token)
            and joints[index] != "'"
            and not _WEB_ADDRESS_RE.match(token)
            # A lone letter before an apostrophe is an elision ("l'"), except the pronoun "I'm".
            and (index + 1 >= count or joints[index + 1] != "'" or len(token) > 1 or token == "i")
            for index, token in enumerate(tokens)
        ]
        self._phrase_positions = set()
        phrase_starts, evidence_starts = self.lex.phrase_starts, self.evidence_starts
        word_forms = self._word_forms
        index = 0
        while index < count:
            if not is_word[index]:
                index += 1
                continue
            token = tokens[index]
            matched = (
                self._match_phrase(tokens, index)
                if token in phrase_starts or token in evidence_starts
                else None
            )
            if matched:
                for offset, form in enumerate(matched):
                    position = index + offset
                    out[position] = _apply_form(tokens[position], form)
                    capitalized = out[position] != tokens[position]
                    kinds[position] = NAME if capitalized else LOWER
                    # A lower-case word inside a name ("of" in "Church of England") is no
                    # weak name word for a capitalized neighbour to pull.
                    scores[position] = 1.0 if capitalized else 0.0
                    self._phrase_positions.add(position)
                index += len(matched)
                continue
            out[index], kinds[index], scores[index] = word_forms.get(
                token
            ) or self.cached_word_form(token)
            index += 1
        for position, form in (overrides or {}).items():
            if is_word[position]:
                out[position] = _apply_form(tokens[position], form)
                capitalized = out[position] != tokens[position]
                kinds[position] = NAME if capitalized else LOWER
                scores[position] = 1.0 if capitalized else 0.0
        base_kinds = list(kinds)
        fired: list[list[str]] = [[] for _ in range(count)]
        for name, apply_rule in self.CONTEXT_RULES:
            before = list(out)
            apply_rule(self, tokens, out, kinds, scores, is_word)
            if out != before:  # most rules change nothing on most lines
                for position in range(count):
                    if out[position] != before[position]:
                        fired[position].append(name)
        before_dateline = list(out)
        starts = self._dateline(tokens, out)
        start_positions = self._sentence_start_positions(tokens, is_word, starts, opens_sentence)
        positional = start_positions
        if out != before_dateline:
            positional = start_positions | {
                position for position in range(count) if out[position] != before_dateline[position]
            }
        if pending is not None:
            pending[:] = self._pending_decisions(
                tokens, out, is_word, base_kinds, fired, positional, overrides or {}
            )
        for index in start_positions:
            out[index] = _capitalize_first(out[index])
        return out

    def _match_phrase(self, tokens: list[str], index: int) -> list[str] | None:
        token = tokens[index]
        sources = []
        if token in self.evidence_starts:
            sources.append((self.evidence.phrases, self._evidence_phrase_sizes.get(token, ())))
        if token in self.lex.phrase_starts:
            sources.append((self.lex.phrases, self.lex.phrase_sizes.get(token, ())))
        longest = min(self.lex.max_phrase_words, len(tokens) - index)
        for phrases, sizes in sources:
            # Only the word counts of the phrases starting with this word, longest first.
            for size in sizes:
                if size > longest:
                    continue
                words = " ".join(tokens[index : index + size])
                form = phrases.get(words)
                # Titles ("prime minister") are capitalized only before a name (title rule).
                if form and (phrases is self.evidence.phrases or words not in self.titles):
                    return form.split(" ")
        return None

    def _extend_names(self, tokens, out, kinds, scores, is_word) -> None:
        """Capitalize weak name words next to names ("mark zuckerberg" -> both)."""
        count = len(tokens)
        lex = self.lex
        for index in range(count):
            if kinds[index] != NAME or scores[index] < CAPITALIZE_AT:
                continue
            for neighbour in (index - 1, index + 1):
                if not 0 <= neighbour < count or not is_word[neighbour]:
                    continue
                if tokens[neighbour] in self.title_words:
                    continue  # titles are capitalized only by the title rule
                if neighbour > index and self._nationality_generic(
                    tokens, kinds, is_word, neighbour
                ):
                    continue  # "the Israeli army": the adjective does not make "army" a name
                # A strong name pulls a weak neighbour; a name the model only just capitalizes
                # pulls a neighbour that is nearly one itself ("Hells Angels").
                needed = NAME_NEIGHBOUR_AT if scores[index] >= STRONG_NAME_AT else NAME_PAIR_AT
                if kinds[neighbour] == LOWER and scores[neighbour] >= needed:
                    form = lex.forms.get(tokens[neighbour], tokens[neighbour])
                    out[neighbour] = _apply_form(tokens[neighbour], form)
                    if out[neighbour] == tokens[neighbour]:
                        out[neighbour] = _capitalize_first(tokens[neighbour])
                    kinds[neighbour] = CAPITAL

    def _hyphenated_given_names(self, tokens, out, kinds, scores, is_word) -> None:
        """A short two-part hyphenated word right after a name is a romanized given name
        ("hau lung-bin" -> "Hau Lung-bin"), unless it starts with a prefix ("re-elected")."""
        for index in range(1, len(tokens)):
            if "-" not in tokens[index]:
                continue
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

    def _surnames_after_given_names(self, tokens, out, kinds, scores, is_word) -> None:
        """The word right after a capitalized given name is its surname even when it is also a
        common word ("Nathan Law", "Gary Fan", "Regina Ip" rather than "Regina IP"). Function
        words and inflected-looking words ("said", "earned", "wins") are left alone."""
        lex = self.lex
        if lex.given_names.isdisjoint(tokens):
            return  # most lines hold no given name: skip the word-by-word pass
        for index in range(1, len(tokens)):
            previous, token = tokens[index - 1], tokens[index]
            if (
                previous in lex.given_names
                and kinds[index - 1] == NAME
                and is_word[index - 1]
                and is_word[index]
                and (kinds[index] == LOWER or (out[index].isupper() and len(token) <= 3))
                and self._name_by_position(token)
            ):
                out[index] = _capitalize_first(token)
                kinds[index] = NAME

    def _name_by_position(self, token: str) -> bool:
        """True for a word that may be a name part when its position says so: a plain word,
        not a function word, title, month or inflected-looking verb ("said", "earned")."""
        lex = self.lex
        return (
            token.isalpha()
            and len(token) > 1
            and token not in lex.function_words
            and token not in self.title_words
            and token not in lex.months
            and not token.endswith(_INFLECTION_ENDINGS)
        )

    def _given_names_after_titles(self, tokens, out, kinds, scores, is_word) -> None:
        """A word between a title and a name is a given name even when it is also a common word
        ("lt. gen. prosper Avril" -> "Prosper"); function words and inflected-looking words
        ("the minister thanks Smith", "the judge told Smith") are left alone."""
        if self.titles.isdisjoint(tokens):
            return
        for index in range(1, len(tokens) - 1):
            token = tokens[index]
            if (
                kinds[index] == LOWER
                and tokens[index - 1] in self.titles
                and is_word[index]
                and kinds[index + 1] == NAME
                and is_word[index + 1]
                and self._name_by_position(token)
            ):
                out[index] = _capitalize_first(token)
                kinds[index] = NAME

    def _surnames_after_middle_names(self, tokens, out, kinds, scores, is_word) -> None:
        """A known surname after a given name and a second name word ends the full name even
        when it is a common word ("Marc Lamont hill" -> "Hill")."""
        lex = self.lex
        if lex.surnames.isdisjoint(tokens) or lex.given_names.isdisjoint(tokens):
            return
        for index in range(2, len(tokens)):
            token = tokens[index]
            if (
                kinds[index] == LOWER
                and token in lex.surnames
                and tokens[index - 2] in lex.given_names
                and kinds[index - 2] == NAME
                and kinds[index - 1] != LOWER
                and all(is_word[index - 2 : index + 1])
                and token not in lex.function_words
                and token not in self.title_words
            ):
                out[index] = _capitalize_first(token)
                kinds[index] = NAME

    def _function_word_surnames(self, tokens, out, kinds, scores, is_word) -> None:
        """A function word that is also a surname is one right after a name when the next word
        could not follow the function word ("James to of the Democratic Party", "Wilson or was
        elected")."""
        lex = self.lex
        if lex.function_word_surnames.isdisjoint(tokens):
            return
        for index in range(1, len(tokens) - 1):
            if (
                tokens[index] in lex.function_word_surnames
                and kinds[index - 1] == NAME
                and is_word[index - 1]
                and tokens[index - 1] not in lex.organization_heads
                and is_word[index]
                and tokens[index + 1] in AFTER_SURNAME_ONLY
            ):
                out[index] = _capitalize_first(tokens[index])
                kinds[index] = NAME

    def _ends_phrase(self, tokens, is_word, position: int) -> bool:
        """True when nothing at ``position`` continues a noun phrase: the line ends there, or
        punctuation or a function word stands there."""
        return (
            position >= len(tokens)
            or not is_word[position]
            or tokens[position] in self.lex.function_words
        )

    def _coordinated_names(self, tokens, out, kinds, scores, is_word) -> None:
        """A one-word conjunct beside a strong name is a name when the model capitalizes it
        often ("Iran and turkey", "turkey and Iran"); it must stand alone, not modify a noun."""
        if COORDINATORS.isdisjoint(tokens):
            return
        count = len(tokens)
        for index in range(count):
            if kinds[index] != LOWER or scores[index] < COORDINATED_NAME_AT or not is_word[index]:
                continue
            if not self._ends_phrase(tokens, is_word, index + 1):
                continue  # "turkey farms": the word modifies a noun
            for partner, between in ((index - 2, index - 1), (index + 2, index + 1)):
                if (
                    0 <= partner < count
                    and tokens[between] in COORDINATORS
                    and kinds[partner] == NAME
                    and scores[partner] >= STRONG_NAME_AT
                    and (
                        partner < index
                        or partner + 1 >= count
                        or not is_word[partner + 1]
                        or kinds[partner + 1] == LOWER
                    )
                ):
                    out[index] = _apply_form(tokens[index], self.lex.forms[tokens[index]])
                    kinds[index] = NAME
                    break

    def _person_before(self, tokens, out, kinds, is_word, index: int) -> bool:
        """True when the two words before ``index`` are a capitalized personal name (not an
        organization head such as "Church" of "Church of Scientology", not an acronym)."""
        if index < 2 or not all(is_word[index - 2 : index]):
            return False
        if any(kinds[position] == LOWER for position in (index - 2, index - 1)):
            return False
        last = tokens[index - 1]
        return last not in self.lex.organization_heads and not out[index - 1].isupper()

    def _organization_after_person(self, tokens, out, kinds, scores, is_word) -> None:
        """ "<person> of [the] <words>" names the person's organization ("Alvin Yeung of Civic
        Party", "Raymond Wong of the Proletariat Political Institute"): its words are
        capitalized up to punctuation, a function word, a verb form or a generic noun
        ("constituency"). A lone short word there is an acronym ("Gary Chan of DAB")."""
        if "of" not in tokens:
            return
        lex = self.lex
        count = len(tokens)
        for index, token in enumerate(tokens):
            # The "of" inside a known name ("Liberation Tigers of Tamil Eelam") joins no
            # person to an organization.
            if token != "of" or index in self._phrase_positions:
                continue
            if not self._person_before(tokens, out, kinds, is_word, index):
                continue
            position = index + 1
            if position < count and tokens[position] == "the":
                position += 1
            run: list[int] = []
            while position < count and len(run) < MAX_AFFILIATION_WORDS:
                word = tokens[position]
                if not is_word[position]:
                    if word == "s" and run:  # the clitic of "New People's Party"
                        position += 1
                        continue
                    break
                if (
                    not _NAME_WORD_RE.match(word.replace("-", ""))
                    or word in lex.function_words
                    or word in lex.generic_heads
                    or word in lex.months
                    or word.endswith(("ed", "ly"))
                ):
                    break
                run.append(position)
                position += 1
            if not run:
                continue
            if len(run) == 1 and self._name_conjunct(tokens, is_word, position):
                run.append(position + 1)  # "the Globe and mail dubbed" -> "Globe and Mail"
            unknown = len(run) == 1 and tokens[run[0]] not in lex.cap_probability
            lone = len(run) == 1 and (kinds[run[0]] == LOWER or unknown)
            for place in run:
                if kinds[place] != LOWER and not lone:
                    continue
                word = tokens[place]
                short = lone and len(word) <= MAX_AFFILIATION_ACRONYM and word.isalpha()
                out[place] = word.upper() if short else _capitalize_first(word)
                if short:
                    self.context_acronyms[word] = out[place]
                kinds[place] = CAPITAL

    def _name_conjunct(self, tokens, is_word, position: int) -> bool:
        """True when ``position`` holds "and" and one singular word that ends the phrase (a
        verb, a function word or punctuation follows): the second half of a one-word name
        pair ("the Globe and mail dubbed"), not a second subject ("and reporters said")."""
        lex = self.lex
        conjunct, after = position + 1, position + 2
        return (
            conjunct < len(tokens)
            and tokens[position] == "and"
            and is_word[conjunct]
            and tokens[conjunct].isalpha()
            and tokens[conjunct] not in lex.function_words
            and not tokens[conjunct].endswith("s")
            and (self._ends_phrase(tokens, is_word, after) or tokens[after].endswith("ed"))
        )

    def _plain_modifier(self, word: str) -> bool:
        """True for a word that may name what an organization head heads: a plain name-shaped
        word, not itself a head, a generic modifier ("new", "local"), a title or a function
        word."""
        lex = self.lex
        return bool(
            word not in lex.organization_heads
            and word not in lex.generic_modifiers
            and word not in self.title_words
            and word not in lex.function_words
            and _NAME_WORD_RE.match(word)
        )

    def _name_modifiers(self, tokens, kinds, is_word, head: int) -> int:
        """Start of the run of name-like modifiers before an organization head ("legislative
        council", "google science fair"); ``head`` itself when there is none."""
        cap_probability = self.lex.cap_probability
        start = head
        while start > 0 and head - start < MAX_HEAD_MODIFIERS and is_word[start - 1]:
            word = tokens[start - 1]
            plain = self._plain_modifier(word)
            if kinds[start - 1] == LOWER and not (
                plain and cap_probability.get(word, 0.0) >= HEAD_MODIFIER_AT
            ):
                # A plain noun between a name and the head belongs to the name ("Muslim
                # student association" -> "Muslim Student Association").
                bridged = (
                    plain
                    and start > 1
                    and is_word[start - 2]
                    and kinds[start - 2] != LOWER
                    and head - start + 2 <= MAX_HEAD_MODIFIERS
                )
                if not bridged:
                    break
                start -= 1
            start -= 1
        return start

    def _near_names_before_heads(self, tokens, out, kinds, scores, is_word) -> None:
        """A word the model capitalizes nearly half the time is a name before an organization
        head ("the straits times" -> "Straits Times"); the head rule then takes the head."""
        lex = self.lex
        if lex.organization_heads.isdisjoint(tokens):
            return
        for index in range(len(tokens) - 1):
            token = tokens[index]
            if (
                kinds[index] == LOWER
                and is_word[index]
                and scores[index] >= NAME_PAIR_AT
                and tokens[index + 1] in lex.organization_heads
                and kinds[index + 1] == LOWER
                and self._plain_modifier(token)
            ):
                out[index] = _apply_form(token, lex.forms[token])
                kinds[index] = NAME

    def _organization_heads(self, tokens, out, kinds, scores, is_word) -> None:
        heads = self.lex.organization_heads
        if heads.isdisjoint(tokens):
            return
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
            followed_by_of = index + 1 < count and tokens[index + 1] == "of"
            if followed_by_of and token in self.lex.place_heads:
                continue  # "the Greek island of Lesbos": the name is the place after "of"
            before_name = followed_by_of and index + 2 < count and kinds[index + 2] == NAME
            if after_name and not before_name:
                after_name = not (
                    self._nationality_generic(tokens, kinds, is_word, index)
                    or self._after_indefinite_article(tokens, kinds, is_word, index)
                )
            if after_name or before_name:
                out[index] = _capitalize_first(token)
                kinds[index] = CAPITAL

    def _nationality_generic(self, tokens, kinds, is_word, head: int) -> bool:
        """True for a generic head after a lone nationality adjective ("the Israeli army",
        "a Greek court"), unless more name words precede it or "of" follows it."""
        lex = self.lex
        if tokens[head] not in lex.nationality_generic_heads or head < 1:
            return False
        if tokens[head - 1] not in lex.demonyms:
            return False
        if head > 1 and is_word[head - 2] and kinds[head - 2] != LOWER:
            return False  # "Irish Republican Army"-like longer names
        return not (head + 1 < len(tokens) and tokens[head + 1] == "of")

    def _after_indefinite_article(self, tokens, kinds, is_word, head: int) -> bool:
        """True when "a" / "an" opens the capitalized words before ``head`` and the head ends
        its noun phrase ("on an Ottawa street by ..."): a common noun, not part of a name
        ("a Labour Party official" keeps its capitals, the head modifies "official")."""
        if not self._ends_phrase(tokens, is_word, head + 1):
            return False
        start = head - 1
        while start >= 0 and is_word[start] and kinds[start] != LOWER:
            start -= 1
        return start < head - 1 and start >= 0 and tokens[start] in INDEFINITE_ARTICLES

    def _head_of_object(self, tokens, out, kinds, scores, is_word) -> None:
        """A one-word object of a capitalized organization head joins the name ("Greek Ministry
        of culture" -> "Ministry of Culture") when nothing lower-case follows it."""
        if self.lex.name_run_heads.isdisjoint(tokens):
            return
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

    def _head_of_fields(self, tokens, out, kinds, scores, is_word) -> None:
        """The fields after a capitalized organization head and its connector belong to the
        name ("Swiss Agency for development and cooperation" -> "Agency for Development and
        Cooperation"): a run of field nouns, name words, dashes and "and" that ends in a field
        noun and is not followed by a lower-case noun it would modify ("rights abuses")."""
        if self.lex.name_run_heads.isdisjoint(tokens):
            return
        count = len(tokens)
        fields = self.lex.field_nouns
        for index in range(count - 2):
            if (
                tokens[index] not in self.lex.name_run_heads
                or kinds[index] == LOWER
                or tokens[index + 1] not in FIELD_CONNECTORS
            ):
                continue
            run_end = None  # one past the last field noun of the run
            position = index + 2
            while position < count:
                token = tokens[position]
                if is_word[position] and kinds[position] == LOWER and token in fields:
                    run_end = position + 1
                elif not (
                    (is_word[position] and kinds[position] != LOWER)
                    or (token == "and" and run_end == position)
                    or token == "-"
                ):
                    break
                position += 1
            if run_end is None or (
                not self._ends_phrase(tokens, is_word, run_end) and kinds[run_end] == LOWER
            ):
                continue
            for place in range(index + 2, run_end):
                if kinds[place] == LOWER and tokens[place] in fields:
                    out[place] = _capitalize_first(tokens[place])
                    kinds[place] = CAPITAL

    def _titles_with_portfolio(self, tokens, out, kinds, scores, is_word) -> None:
        """A one-word title with its portfolio before a name is a full title ("minister of
        education jane doe" -> "Minister of Education Jane Doe", "undersecretary for health
        mr. doe"): the title and the portfolio words are capitalized, the connector is not."""
        if self.titles.isdisjoint(tokens):
            return
        count = len(tokens)
        for index, token in enumerate(tokens[: count - 3]):
            if token not in self.titles or tokens[index + 1] not in PORTFOLIO_CONNECTORS:
                continue
            portfolio: list[int] = []
            position = index + 2
            while (
                position < count
                and len(portfolio) < MAX_PORTFOLIO_WORDS
                and is_word[position]
                and kinds[position] == LOWER
                and tokens[position].isalpha()
                and tokens[position] not in self.lex.function_words
            ):
                portfolio.append(position)
                position += 1
            if position < count - 1 and tokens[position] in self.titles:
                position += 1  # an honorific before the name ("Mr.")
            if not portfolio or position >= count:
                continue
            if kinds[position] == NAME and tokens[position].isalpha():
                for place in [index, *portfolio]:
                    out[place] = _capitalize_title(tokens[place])
                    kinds[place] = CAPITAL

    def _acronym_before_title(self, tokens, out, kinds, index) -> None:
        """A short word whose capital form is an acronym ("us" / "US") takes that form before a
        title ("US President") or after "the" ("the US economy")."""
        token = tokens[index]
        if kinds[index] != LOWER or len(token) > MAX_ACRONYM_BEFORE_TITLE:
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
        previous = tokens[index - 1] if index else ""
        if previous in self.lex.organization_heads:
            return False  # "Muslim Student Association president Sehar Memon"
        if index == 0 or not is_word[index - 1] or out[index - 1] != tokens[index - 1]:
            return True
        if previous in self.lex.title_blockers:
            return False
        return self.lex.cap_probability.get(previous, 0.0) < TITLE_MODIFIER_AT

    def _titles_and_months(self, tokens, out, kinds, scores, is_word) -> None:
        lex = self.lex
        title_starts, months, short_acronyms = lex.titles, lex.months, lex.short_acronyms
        if (
            title_starts.keys().isdisjoint(tokens)
            and months.keys().isdisjoint(tokens)
            and short_acronyms.isdisjoint(tokens)
        ):
            return  # no title, month or acronym on the line: nothing to case
        count = len(tokens)
        for index, token in enumerate(tokens):
            titles = title_starts.get(token)
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
                            out[position] = _capitalize_title(tokens[position])
                            kinds[position] = CAPITAL
                        break
            if token in short_acronyms and is_word[index]:
                self._acronym_before_title(tokens, out, kinds, index)
            month = months.get(token)
            if month and kinds[index] == LOWER:
                following = tokens[index + 1] if index + 1 < count else ""
                previous = tokens[index - 1] if index else ""
                if _DIGITS_RE.match(following) or previous in lex.month_cues:
                    out[index] = _apply_form(token, month)
                    kinds[index] = CAPITAL

    def _named_new_year(self, tokens, out, kinds, scores, is_word) -> None:
        """ "new year" after a nationality or "lunar" is a festival ("the Chinese New Year"); on
        its own it stays a common noun ("in the new year")."""
        if "year" not in tokens:
            return
        for index in range(1, len(tokens) - 1):
            previous = tokens[index - 1]
            if (
                tokens[index] == "new"
                and tokens[index + 1] == "year"
                and (previous in self.lex.demonyms or previous in NEW_YEAR_CUES)
            ):
                for position in (index - 1, index, index + 1):
                    out[position] = _capitalize_first(out[position])
                    kinds[position] = CAPITAL

    # The context rules in the order ``case_line`` applies them, with the names the learned
    # decision's ``rule=`` features carry; each takes (tokens, out, kinds, scores, is_word).
    CONTEXT_RULES = (
        ("extend_names", _extend_names),
        ("hyphenated_given", _hyphenated_given_names),
        ("surname_after_given", _surnames_after_given_names),
        ("given_after_title", _given_names_after_titles),
        ("function_word_surname", _function_word_surnames),
        ("surname_after_middle", _surnames_after_middle_names),
        ("coordinated", _coordinated_names),
        ("organization_after_person", _organization_after_person),
        ("near_name_before_head", _near_names_before_heads),
        ("organization_head", _organization_heads),
        ("head_of_object", _head_of_object),
        ("head_of_fields", _head_of_fields),
        ("title_portfolio", _titles_with_portfolio),
        ("title_or_month", _titles_and_months),
        ("new_year", _named_new_year),
    )

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
        return self._place_dateline(tokens, out)

    def _place_dateline(self, tokens: list[str], out: list[str]) -> set[int]:
        """``taipei , taiwan - the city ...``: a line opening with capitalized place words and
        commas, then a dash, starts its sentence after the dash."""
        for index, token in enumerate(tokens[: 2 * MAX_DATELINE_WORDS]):
            if token in {"-", "--"}:
                return {index + 1} if index and tokens[index - 1] != "," else set()
            if token != "," and out[index] == token:
                return set()
        return set()

    def _sentence_start_positions(
        self, tokens, is_word, starts: set[int], opens_sentence: bool = True
    ) -> set[int]:
        """Positions of the words that open a sentence (or follow a dateline)."""
        positions = set()
        at_start = opens_sentence
        for index, token in enumerate(tokens):
            if is_word[index]:
                if at_start or index in starts:
                    positions.add(index)
                at_start = False
            elif token in SENTENCE_END:
                at_start = True
        return positions

    # --- the learned decision --------------------------------------------------------------
    def _pending_decisions(
        self, tokens, out, is_word, base_kinds, fired, positional, overrides
    ) -> list[tuple]:
        """(index, token, log-odds, features) for every word of the line whose decision is
        open; the log-odds is 0 without a model.
        Not open, so the rules' verdict stands: words cased by their position; function words
        (spaCy's stop words, irregular verb forms: the rules capitalize them only in narrow
        contexts, "US President", "James To"); and settled words (``casing_model.settled``),
        a common word the rules leave in lower case or a clear name they capitalize, with no
        context rule and no corpus evidence involved. Leaving them out of the model is most of
        its saving in time."""
        pending = []
        lex = self.lex
        open_words = lex.open_word_cache
        evidence_words = self._evidence_words
        model = self.model
        if model is not None:
            # Most keys are scored already: read the model's cache directly and compute a score
            # (``word_score``) only on a miss; a cached 0.0 reads as a miss, recomputed alike.
            cached = model.cached_scores.get
            word_features, side_features = self.word_features, self._side_features
            context_features = self._context_features
            pair_share = lex.context_capital.get
        last = len(tokens) - 1
        own_heads, run_heads = self._name_head_runs(tokens, is_word)
        for index, token in enumerate(tokens):
            known = open_words.get(token)
            if known is None:
                known = self._open_word(token)
            if not known or not is_word[index] or index in positional:
                continue
            probability, settles_lower, settles_capital, band = known
            ruled_capital = out[index] != token
            if (
                not fired[index]
                and (settles_capital if ruled_capital else settles_lower)
                and token not in evidence_words
                # a common word beside a capital may belong to its name ("Fish and Wildlife")
                and (
                    ruled_capital
                    or not (
                        (index > 0 and out[index - 1] != tokens[index - 1])
                        or (index < last and out[index + 1] != tokens[index + 1])
                    )
                )
            ):
                continue
            context = self._context_key(
                tokens,
                out,
                is_word,
                base_kinds,
                fired,
                positional,
                overrides,
                index,
                probability,
                band,
                own_heads[index],
                run_heads[index],
            )
            previous = ("prev", tokens[index - 1], is_word[index - 1]) if index else _PREV_EDGE
            following = (
                ("next", tokens[index + 1], is_word[index + 1]) if index < last else _NEXT_EDGE
            )
            log_odds = 0.0
            if model is not None:
                log_odds = (
                    (cached(token) or model.word_score(token, word_features))
                    + (cached(previous) or model.word_score(previous, side_features))
                    + (cached(following) or model.word_score(following, side_features))
                    + (cached(context) or model.word_score(context, context_features))
                    + model.pair_score("prev", pair_share(("prev", previous[1], token)))
                    + model.pair_score("next", pair_share(("next", following[1], token)))
                )
            pending.append((index, token, log_odds, (previous, following, context)))
        return pending

    def _name_head_runs(self, tokens, is_word) -> tuple[list[str], list[str]]:
        """Per word of the line: the name-head band of the word itself when it ends a run of
        two or more content words (no function word or punctuation between), and the band of
        the word ending its run when a word after it does ("" when none): "sky harbor
        international airport", "the George Washington bridge"."""
        count = len(tokens)
        own, run = [""] * count, [""] * count
        bands = self.lex.name_head_bands
        if bands.keys().isdisjoint(tokens):
            return own, run
        function_words = self.lex.function_words
        index = 0
        while index < count:
            if not is_word[index] or tokens[index] in function_words:
                index += 1
                continue
            end = index
            while end + 1 < count and is_word[end + 1] and tokens[end + 1] not in function_words:
                end += 1
            head = bands.get(tokens[end], "")
            if head and end > index:
                own[end] = head
                for position in range(index, end):
                    run[position] = head
            index = end + 1
        return own, run

    def _open_word(self, token: str) -> tuple | bool:
        """False for a word whose decision is never open (a function word; no lower-case
        letter: digits, symbols); otherwise its capitalization probability, whether the rules'
        verdict settles it in lower case and capitalized (``casing_model.settled``) and the
        probability's band.
        Depends on the lexicon alone: kept per process in its ``open_word_cache``."""
        cache = self.lex.open_word_cache
        if len(cache) >= MAX_CACHED_WORD_FORMS:
            cache.clear()  # a long backfill must not grow the cache forever
        if token in self.lex.function_words or token.upper() == token:
            known = cache[token] = False
            return known
        probability = self.lex.cap_probability.get(token)
        known = cache[token] = (
            probability,
            settled(probability, False),
            settled(probability, True),
            probability_band(probability),
        )
        return known

    def decide_document(
        self, cased_lines: list[list[str]], pending_lines: list[list], traces: list | None
    ) -> None:
        """Apply the learned decision to every pending word of the document once the rules
        have cased all of it (so every word's features see the rules' verdicts on its
        neighbours, as in training). Without a model the rules' casing stands. ``traces``
        receives, per line, ``(index, token, features, log_odds)`` of every decided word.

        A feature saying how the rules cased the word's other occurrences in the document was
        tried and dropped: it lowered the held-out F1 on GUM news (0.889 against 0.900)."""
        model = self.model
        for line_index, pending in enumerate(pending_lines):
            out = cased_lines[line_index]
            trace = traces[line_index] if traces is not None else None
            for index, token, log_odds, keys in pending:
                previous, following, context = keys
                if model is not None:
                    ruled_capital = out[index] != token
                    capital = model.decides_capital(log_odds, ruled_capital)
                    if capital and not ruled_capital:
                        out[index] = self._capital_form(token)
                    elif ruled_capital and not capital:
                        out[index] = token
                if trace is not None:
                    features = {
                        **self.word_features(token),
                        **self._side_features(previous),
                        **self._side_features(following),
                        **self._context_features(context),
                        **self._pair_features("prev", previous[1], token),
                        **self._pair_features("next", following[1], token),
                    }
                    trace.append((index, token, features, log_odds))

    def _capital_form(self, token: str) -> str:
        """The spelling of a word the model capitalizes against the rules: the lexicon's own
        capital form (an acronym, "McDonald"), otherwise a capital first letter."""
        form = _apply_form(token, self.lex.forms.get(token, token))
        return form if form != token else _capitalize_first(token)

    def word_features(self, token: str) -> dict[str, float]:
        """Context-free features of a word: its capitalization statistics, the lists holding
        it, its shape and ending."""
        lex = self.lex
        probability = lex.cap_probability.get(token)
        features = {
            "bias": 1.0,
            f"band={probability_band(probability)}": 1.0,
            "logit": scaled_logit(probability),
        }
        memberships = (
            ("given_name", lex.given_names),
            ("surname", lex.surnames),
            ("function_word", lex.function_words),
            ("title_word", self.title_words),
            ("organization_head", lex.organization_heads),
            ("place_head", lex.place_heads),
            ("demonym", lex.demonyms),
            ("month", lex.months),
            ("field_noun", lex.field_nouns),
            ("generic_modifier", lex.generic_modifiers),
        )
        for name, members in memberships:
            if token in members:
                features[f"in={name}"] = 1.0
        form = lex.forms.get(token, token)
        if len(form) == len(token) and form.isupper() and len(token) > 1:
            features["form=acronym"] = 1.0
        if "-" in token.strip("-"):
            features["shape=hyphenated"] = 1.0
        if any(char.isdigit() for char in token):
            features["shape=digit"] = 1.0
        if token.endswith("."):
            features["shape=period"] = 1.0
        features[f"length={min(len(token), MAX_LENGTH_FEATURE)}"] = 1.0
        return features

    def _side_features(self, key: tuple[str, str, bool]) -> dict[str, float]:
        """Context-free features of a neighbour (``key``: side, token, is it a word)."""
        side, token, word = key
        if not token:
            return {f"{side}=edge": 1.0}
        if not word or token.upper() == token:
            shown = token if len(token) <= 3 and not token.isalnum() else "other"
            return {f"{side}=punct:{shown}": 1.0}
        lex = self.lex
        features = {f"{side}.band={probability_band(lex.cap_probability.get(token))}": 1.0}
        if token in lex.function_words:
            features[f"{side}.in=function_word"] = 1.0
        for name, members in (
            ("title_word", self.title_words),
            ("given_name", lex.given_names),
            ("organization_head", lex.organization_heads),
            ("demonym", lex.demonyms),
        ):
            if token in members:
                features[f"{side}.in={name}"] = 1.0
        return features

    def _pair_features(self, side: str, neighbour: str, token: str) -> dict[str, float]:
        """How the word is cased beside this neighbour in the packaged bigram statistics;
        nothing for a pair they lack."""
        return pair_features(side, self.lex.context_capital.get((side, neighbour, token)))

    def _context_key(
        self,
        tokens,
        out,
        is_word,
        base_kinds,
        fired,
        start_positions,
        overrides,
        index,
        probability,
        band,
        own_head,
        run_head,
    ) -> tuple:
        """What this line's decisions say of the word, as a cache key: the word model's and the
        context rules' verdicts on the word and its neighbours, the phrase and corpus evidence.
        Few combinations occur, so their score is cached like a word's (``_context_features``
        names the features of a key). ``band``: the probability's ``probability_band``;
        ``own_head`` / ``run_head``: the name-head bands of ``_name_head_runs``."""
        token = tokens[index]
        evidence_kind = ""
        if token in self._evidence_words:  # most words: the corpus evidence says nothing
            evidence = self.evidence
            referring = self._refers_to_own_institution(token)
            if token in evidence.forms and not referring:
                evidence_kind = "form"
            elif token in evidence.name_words and not referring:
                evidence_kind = "name_word"
            elif token in evidence.lowercase and (
                probability is None or probability >= CAPITALIZE_AT
            ):
                # Seen in lower case in the corpus is news only for a word usually capitalized:
                # for a common word ("new", "party", "president") it is what the statistics say.
                evidence_kind = "lower"
        verdicts = []
        for position in (index - 1, index + 1):
            if not 0 <= position < len(tokens) or not is_word[position]:
                verdicts.append("")
            elif position in start_positions:
                verdicts.append("start")
            else:
                verdicts.append("capital" if out[position] != tokens[position] else "lower")
        ruled_capital = out[index] != token
        previous_capital = verdicts[0] == "capital"
        return (
            _CONTEXT_KEY,
            base_kinds[index],
            ruled_capital,
            tuple(fired[index]),
            index in self._phrase_positions,
            index in overrides,
            evidence_kind,
            band,
            *verdicts,
            index >= 2 and is_word[index - 2] and out[index - 2] != tokens[index - 2],
            # only where the run already holds a capital (see ``_context_features``)
            own_head if previous_capital else "",
            run_head if ruled_capital or previous_capital else "",
        )

    @staticmethod
    def _context_features(key: tuple) -> dict[str, float]:
        """The features of a ``_context_key``."""
        _, base_kind, ruled_capital, fired, phrase, document_name, evidence, band, *rest = key
        previous_verdict, next_verdict, previous2_capital, own_head, run_head = rest
        features = {f"base={_KIND_NAMES[base_kind]}": 1.0}
        features["rules=capital" if ruled_capital else "rules=lower"] = 1.0
        for rule in fired:
            features[f"rule={rule}"] = 1.0
        if phrase:
            features["phrase"] = 1.0
        if document_name:
            features["document_name"] = 1.0
        if evidence:
            features[f"evidence={evidence}"] = 1.0
            # Seen in lower case elsewhere says little of a word common anyway ("new", "party").
            features[f"evidence={evidence}&band={band}"] = 1.0
        for side, verdict in (("prev", previous_verdict), ("next", next_verdict)):
            if verdict:
                features[f"{side}.rules={verdict}"] = 1.0
                features[f"band={band}&{side}.rules={verdict}"] = 1.0
        if previous2_capital:
            features["prev2.rules=capital"] = 1.0
        # How often the word ending the run of content words names a place, body or event in
        # broad sources, read only where the run already holds a capital: a head after a
        # capitalized word ("George Washington bridge"), a word of such a run before its head
        # ("American revolutionary war"). Read everywhere, or opening settled words of such
        # runs, it added capitals wrongly as often as rightly (docs/normalization.md).
        if own_head:
            features[f"head={own_head}&prev.rules=capital"] = 1.0
        if run_head:
            features[f"run_head={run_head}&capital_run"] = 1.0
        return features


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
    text: str,
    lexicon: CasingLexicon,
    evidence: CaseEvidence | None,
    model: CasingModel | str | None = None,
    traces: list[list] | None = None,
) -> tuple[str, list[int]]:
    """Restore a cleaned degraded text; returns the new text and offsets into ``text``.

    ``model`` decides the casing of each word (the packaged weights by default; None leaves
    it to the rules alone, which is how training data is read); ``traces``, when given,
    receives one list per line of the model's decisions (see ``LineRestorer.case_line``).
    """
    if model == PACKAGED_MODEL:
        model = load_casing_model()
    restorer = LineRestorer(lexicon, evidence, model)
    lines: list[tuple[list[str], list[tuple[int, int]], int]] = []
    line_start = 0
    for line in text.split("\n"):
        matches = list(_TOKEN_RE.finditer(line))
        tokens = [match.group() for match in matches]
        spans = [(line_start + m.start(), line_start + m.end()) for m in matches]
        _drop_repeated_final_period(tokens, spans)
        lines.append((tokens, spans, line_start))
        line_start += len(line) + 1
    overrides: dict[int, dict[int, str]] = {}
    found = acronym_overrides(
        [tokens for tokens, _, _ in lines],
        lexicon.cap_probability,
        lexicon.forms,
        lexicon.acronym_connectors,
        lexicon.organization_heads,
    )
    for (line_index, token_index), form in found.items():
        overrides.setdefault(line_index, {})[token_index] = form
    # Only a token in ``glued_after`` or one after a token in ``glued_before`` can join other
    # than by a space (``_join_decision``); every other pair is decided without the call.
    glued_after = NO_SPACE_BEFORE | lexicon.clitics.keys()
    glued_before = NO_SPACE_AFTER | lexicon.elisions.keys()
    all_joints = [
        ([""] if tokens else [])  # one joint per token: what precedes it
        + [
            _join_decision(tokens[i - 1], tokens[i], lexicon, tokens[i - 2] if i > 1 else "")
            if tokens[i] in glued_after or tokens[i - 1] in glued_before
            else " "
            for i in range(1, len(tokens))
        ]
        for tokens, _, _ in lines
    ]
    # The learned decision's features are only gathered when a model or a caller uses them: the
    # rules alone (the pipeline's default) spend a fifth of their time on them otherwise.
    decided = model is not None or traces is not None
    pending_lines: list[list | None] = [[] if decided else None for _ in lines]
    cased_lines = [
        restorer.case_line(
            tokens,
            joints,
            overrides.get(line_index),
            pending_lines[line_index],
            line_opens_sentence(lines, line_index),
        )
        for line_index, ((tokens, _, _), joints) in enumerate(zip(lines, all_joints, strict=True))
    ]
    document_names = {
        **_surnames_in_full_names(lexicon, lines, cased_lines),
        **_function_word_surname_pairs(lexicon, lines, cased_lines),
        **restorer.context_acronyms,
    }
    _propagate_document_names(
        document_names, restorer, lines, all_joints, overrides, cased_lines, pending_lines
    )
    if traces is not None:
        traces[:] = [[] for _ in lines]
    if decided:
        restorer.decide_document(cased_lines, pending_lines, traces)
    pieces: list[str] = []
    offsets: list[int] = []
    add_piece, add_offset, add_offsets = pieces.append, offsets.append, offsets.extend
    for line_index, (_, spans, line_start) in enumerate(lines):
        if line_index:
            add_piece("\n")
            add_offset(line_start - 1)
        previous_end = 0
        # A line's first joint is always "", so a joint always follows a previous token.
        for form, joint, (start, end) in zip(
            cased_lines[line_index], all_joints[line_index], spans, strict=True
        ):
            if joint:
                add_piece(joint)
                add_offset(previous_end)
            add_piece(form)
            add_offsets(range(start, end))
            previous_end = end
    offsets.append(len(text))
    return "".join(pieces), offsets


def _surnames_in_full_names(lexicon: CasingLexicon, lines, cased_lines) -> dict[str, str]:
    """Surnames this document spells after a given name ("Tom Cruise") whose word is a name
    often enough elsewhere (``SURNAME_ECHO_AT``) to be the same person when it stands alone
    ("the cruise video"); common words that are also surnames ("Nathan Law") are left out."""
    surnames: dict[str, str] = {}
    given_names = lexicon.given_names
    for (tokens, _, _), cased in zip(lines, cased_lines, strict=True):
        if given_names.isdisjoint(tokens):
            continue
        for index in range(1, len(tokens)):
            previous = tokens[index - 1]
            if previous not in given_names:
                continue
            token = tokens[index]
            probability = lexicon.cap_probability.get(token)
            if (
                cased[index - 1] != previous
                and cased[index] != token
                and probability is not None
                and SURNAME_ECHO_AT <= probability < CAPITALIZE_AT
            ):
                surnames[token] = cased[index]
    return surnames


def _function_word_surname_pairs(
    lexicon: CasingLexicon, lines, cased_lines
) -> dict[tuple[str, str], str]:
    """Names whose surname is a function word, as this document spells them once context has
    shown it ("James to of ..." -> ("james", "to"): "To"), for the same pair elsewhere ("by
    James to.")."""
    pairs: dict[tuple[str, str], str] = {}
    for (tokens, _, _), cased in zip(lines, cased_lines, strict=True):
        for index in range(1, len(tokens)):
            if tokens[index] in lexicon.function_word_surnames and cased[index] != tokens[index]:
                pairs[(tokens[index - 1], tokens[index])] = cased[index]
    return pairs


def line_opens_sentence(lines, line_index: int) -> bool:
    """False when the line before ends in a clause joiner (``CLAUSE_JOINERS``): its sentence
    goes on, so this line's first word is not capitalized for its position."""
    if line_index == 0:
        return True
    previous = lines[line_index - 1][0]
    return not (previous and previous[-1] in CLAUSE_JOINERS)


def _propagate_document_names(
    names: dict, restorer, lines, all_joints, overrides, cased_lines, pending_lines
) -> None:
    """A name read from context in one place (the acronym of "Gary Chan of DAB", the surname
    of "Tom Cruise") is the same name at the document's other occurrences of the word ("dab's
    Ben Chan", "the cruise video"), or of the word after the same word when the key is a pair
    ("James To"): re-case those lines."""
    if not names:
        return
    # The words the names key on (a pair keys on its second word): a line holding none of
    # them has nothing to re-case.
    keyed_words = {key[1] if isinstance(key, tuple) else key for key in names}
    for line_index, (tokens, _, _) in enumerate(lines):
        if keyed_words.isdisjoint(tokens):
            continue
        places = {}
        for index, token in enumerate(tokens):
            form = names.get(token) or (index and names.get((tokens[index - 1], token)))
            if form and cased_lines[line_index][index] != form:
                places[index] = form
        if places:
            line_overrides = {**places, **overrides.get(line_index, {})}
            cased_lines[line_index] = restorer.case_line(
                tokens,
                all_joints[line_index],
                line_overrides,
                pending_lines[line_index],
                line_opens_sentence(lines, line_index),
            )


def _drop_repeated_final_period(tokens: list[str], spans: list[tuple[int, int]]) -> None:
    """``in the u.s. .``: the tokenizer added a period after a final abbreviation; drop it."""
    if len(tokens) < 2 or tokens[-1] != ".":
        return
    before = tokens[-2]
    if before.endswith(".") and len(before) > 1 and not before.endswith(".."):
        del tokens[-1]
        del spans[-1]
