"""Entity mentions from a parsed Doc: spaCy's entities (languages included) trimmed to the name
itself (ending before a finite verb the tagger ran it into, two names joined by "and" / "&"
apart when the document knows each; a nickname the sentence gives a name refers to it), the
further occurrences of those names that spaCy left untagged (``repeated_name_mentions``), and
the person descriptions that refer to one of them (``etl.stages.extract.descriptions``)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict

import numpy
from spacy.attrs import IDX, ORTH
from spacy.tokens import Doc, Span

from etl.ids import stable_id
from etl.records import RawSpan, identity_span
from etl.reference.places import Purpose, lookup_place
from etl.reference.word_lists import office_words
from etl.stages.extract.dates import WEEKDAYS
from etl.stages.extract.descriptions import description_mentions, is_person_noun
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.resolve.demonyms import demonym_use

# Labels that name a thing; numeric and temporal labels are handled by the date extractor. A
# language is named too ("English", "Latin"): resolution keeps it apart from the country and
# people of the same word (``demonyms``), and events never take it as an argument.
NAME_LABELS = frozenset(
    {
        "PERSON",
        "NORP",
        "FAC",
        "ORG",
        "GPE",
        "LOC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    }
)


_POSSESSIVE_MARKERS = frozenset({"'s", "’s", "'", "’", "s"})


def _is_possessive(token) -> bool:
    return token.tag_ == "POS" or (token.lower_ in _POSSESSIVE_MARKERS and token.i > 0)


def _owner_split(span: Span) -> list[tuple[int, int]]:
    """Token ranges of the names in a span with a possessive inside: the tagger often swallows
    ``'s`` + a noun.

    A possessive followed only by common nouns means the entity is the owner (``Nazarbayev's
    office`` -> ``Nazarbayev``). A country or its capital owning a proper name makes two
    mentions (``Kyrgyzstan's Central Election Commission`` -> ``Kyrgyzstan`` and ``Central
    Election Commission``, which resolution then knows as Kyrgyzstan's); other possessives
    inside a name belong to it (``New People's Party``, ``Children's Hospital``).
    """
    doc = span.doc
    for index in range(span.start + 1, span.end - 1):
        if not _is_possessive(doc[index]):
            continue
        rest = doc[index + 1 : span.end]
        if not any(token.pos_ == "PROPN" or token.is_title for token in rest):
            return [(span.start, index)]
        if _is_country_or_capital(doc[span.start : index].text):
            return [(span.start, index), (index + 1, span.end)]
    return [(span.start, span.end)]


def _is_country_or_capital(text: str) -> bool:
    place = lookup_place(text, Purpose.ENTITY_RESOLUTION)
    return place is not None and place.kind in {"country", "demonym", "capital"}


# Parts of speech a name does not end with: the tagger running a name on into the verb or
# preposition after it, mostly in title-cased headlines ("Driver Charged", "Biologists Call on").
# Titles of works may end with anything ("The Thick of It"), so they keep their words.
_NOT_NAME_END = frozenset({"VERB", "AUX", "ADP", "CCONJ", "SCONJ", "SPACE"})
_ANY_END_LABELS = frozenset({"WORK_OF_ART"})
# A weekday after a name is the date the sentence gives ("told Reuters Tuesday", "interviewed
# by Wikinews Saturday"), not a word of it; events and titles keep theirs ("Black Friday").
_WEEKDAY_END_KEPT = frozenset({"EVENT", "WORK_OF_ART", "LAW"})


def _one_line(span: Span) -> tuple[int, int]:
    """Token range of the span's first line that is not a URL: a name never crosses a line
    break (headline, URL or date line above the text)."""
    doc = span.doc
    pieces, start = [], span.start
    for index in range(span.start, span.end):
        if "\n" in doc[index].text or "\n" in doc[index].whitespace_:
            end = index if "\n" in doc[index].text else index + 1
            pieces.append((start, end))
            start = index + 1
    pieces.append((start, span.end))
    for begin, end in pieces:
        words = [token.text for token in doc[begin:end] if not token.is_space]
        if words and not any("://" in word or word.startswith("www.") for word in words):
            return begin, end
    return span.start, span.start


def _trim(span: Span) -> list[Span]:
    """The names of an entity span: one line, cut at brackets, owner and possessed name apart,
    without a leading determiner, interjection or hyphenated prefix (``pro-Beijing``), a possessed
    common noun, a trailing possessive, punctuation, verb or preposition."""
    doc = span.doc
    start, end = _one_line(span)
    if start >= end:
        return []
    parts = [
        piece
        for begin, stop in _bracket_split(doc, start, end)
        for piece in _owner_split(doc[begin:stop])
    ]
    names = (_trim_ends(doc, begin, stop, span.label_) for begin, stop in parts)
    return [name for name in names if name is not None]


_BRACKETS = frozenset("()[]{}")


def _bracket_split(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Token ranges of a span cut at its brackets: a name never runs into or out of a
    parenthesis, so ``American College of Pediatricians (ACPeds`` is the name and, apart, the
    short form the writer gives in brackets; ``Łódź (Łodzianin`` is the city and the word
    glossed. A span that is whole inside brackets is one range."""
    pieces, begin = [], start
    for index in range(start, end):
        if doc[index].text in _BRACKETS:
            pieces.append((begin, index))
            begin = index + 1
    pieces.append((begin, end))
    return [(first, last) for first, last in pieces if first < last]


# English prefixes that make an adjective of a name ("pro-Beijing", "anti-Trump", "ex-Soviet"):
# hyphenated, in lower case (or capitalized to begin a sentence), they are no part of the name
# after them (unlike the particles that begin Arabic names, "al-Qaeda", "el-Sisi").
_LOWERCASE_NAME_PREFIXES = frozenset({"pro", "anti", "non", "ex", "post", "pre", "neo", "mid"})


def _prefixed_words(doc: Doc, index: int, end: int) -> int:
    """How many tokens a prefixed adjective at ``index`` takes from the front of a name: 0 when
    there is none; the prefix and hyphen when only its base follows ("anti-Trump" -> "Trump");
    the whole adjective when a name follows it ("pro-Beijing New People Party")."""
    token = doc[index]
    if not (
        index + 2 < end
        and token.lower_ in _LOWERCASE_NAME_PREFIXES
        and (token.is_lower or token.is_sent_start)
        and doc[index + 1].text == "-"
        and not token.whitespace_
    ):
        return 0
    return 3 if index + 3 < end else 2


def _modifies_a_noun_after(doc: Doc, start: int, end: int) -> bool:
    """``Scientology on French`` (television): after a preposition inside the span, a last word
    that is an adjective of a noun after the span begins the next noun phrase, not the name."""
    last = doc[end - 1]
    return (
        end - start >= 3
        and last.dep_ == "amod"
        and last.head.i >= end
        and doc[end - 2].pos_ == "ADP"
    )


def _modifies_from_outside(doc: Doc, start: int, end: int) -> bool:
    """Whether the first word of a span is no word of the name after it: a preposition whose
    head lies outside the span ("Among Thais, ..." capitalized to begin a sentence), or an
    adjective or participle written in lower case before capitalized words ("a united
    Germany"). A preposition inside a name attaches to a word of it and stays."""
    token = doc[start]
    if start + 1 >= end:
        return False
    if token.pos_ == "ADP":
        return not start <= token.head.i < end
    return (
        token.is_lower
        and token.is_alpha  # not an ordinal ("117th Street")
        and bool(token.whitespace_)  # a word of its own, not a hyphenated prefix ("pan-African")
        and token.pos_ in {"ADJ", "VERB"}
        and all(word.text[:1].isupper() for word in doc[start + 1 : end] if word.is_alpha)
    )


# Finite verbs: a name holds none, so one inside a span is the tagger running the name on into
# the rest of a headline ("T-Mobile USA Announces BlackBerry Q10 Availability", "Andrew Lopez
# Confesses") or a sentence ("Herbert Flynn Jr told"); the name ends before it. Titles of works
# and laws may hold one ("Gone Is Gone", "Don't Ask, Don't Tell").
_FINITE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})
_FINITE_VERB_KEPT = frozenset({"WORK_OF_ART", "LAW"})


def _before_finite_verb(doc: Doc, start: int, end: int, label: str) -> int:
    if label in _FINITE_VERB_KEPT:
        return end
    for index in range(start + 1, end):
        if doc[index].tag_ in _FINITE_VERB_TAGS:
            return index
    return end


def _trim_ends(doc: Doc, start: int, end: int, label: str) -> Span | None:
    end = _before_finite_verb(doc, start, end, label)
    while start < end:
        token = doc[start]
        if prefixed := _prefixed_words(doc, start, end):
            start += prefixed
        elif token.lower_ in {"the", "a", "an"} or token.is_punct or token.pos_ == "INTJ":
            start += 1  # an article, a quote mark, an interjection ("Hey Frank") before a name
        elif label not in _ANY_END_LABELS and _modifies_from_outside(doc, start, end):
            start += 1
        else:
            break
    while end > start and (
        doc[end - 1].tag_ == "POS"
        or doc[end - 1].is_punct
        or doc[end - 1].is_space
        or (label not in _ANY_END_LABELS and doc[end - 1].pos_ in _NOT_NAME_END)
        or (label not in _WEEKDAY_END_KEPT and end - start > 1 and doc[end - 1].lower_ in WEEKDAYS)
        or _modifies_a_noun_after(doc, start, end)
    ):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _with_given_names(span: Span) -> Span:
    """A PERSON span with the given names spaCy left out before it (``Ka'Loni`` in "Ka'Loni
    Marie Flynn", tagged ``Marie Flynn``): proper nouns outside any entity that the parser
    attaches as compounds inside the name and that are given names or words the casing lexicon
    does not know (``Ka'Loni``), never a title or role ("President Barack Obama" stays "Barack
    Obama") or a known word ("Fort Lee Historic Park" is no person's name)."""
    doc = span.doc
    lexicon = load_lexicon()
    start = span.start
    while start > 0:
        token = doc[start - 1]
        if not (
            token.pos_ == "PROPN"
            and token.ent_iob_ == "O"
            and token.dep_ == "compound"
            and span.start <= token.head.i < span.end
            and token.text[:1].isupper()
            and (token.lower_ in lexicon.given_names or token.lower_ not in lexicon.cap_probability)
            and token.lower_ not in office_words()
            and not is_person_noun(token)
        ):
            break
        start -= 1
    return span if start == span.start else Span(doc, start, span.end, label=span.label_)


def extract_mentions(
    doc: Doc,
    doc_id: str,
    sentence_starts: list[int],
    to_raw: RawSpan = identity_span,
) -> list[dict]:
    """One row per named mention (schema ``etl.schema.MENTIONS``, without ``entity_id``).

    ``sentence_starts`` are the sorted start offsets of the document's sentences;
    ``to_raw`` maps a normalized span to the raw-text span of the same words.
    """
    names: list[tuple[Span, str]] = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            continue
        if ent.label_ == "PERSON":
            ent = _with_given_names(ent)
        names.extend((span, ent.label_) for span in _trim(ent) if not _is_common_noun_phrase(span))
    rows, spans = [], []
    for span, label in _coordinations_split(names):
        row = _row(span, label, doc_id, sentence_starts, to_raw)
        rows.append({**row, "demonym_use": demonym_use(span, label)})
        spans.append(span)
    for nickname, named in _nicknames(spans):
        rows[nickname]["antecedent_mention_id"] = rows[named]["mention_id"]
    return rows


# English constructions that give a name a second name: "X is known as / referred to as Y",
# "X, self-identified as Y" (``as`` after these verbs), "X, dubbed Y", "they call X Y" (the
# second object of these verbs), "X earned the nickname Y" (in apposition to these nouns), "X
# was a pen name of Y" (``of`` after them, or after ``name``, as the predicate of X). Verbs that
# also appoint ("named Clinton Secretary of State") are left out.
_KNOWN_AS_VERBS = frozenset({"know", "refer", "identify"})
_NICKNAMING_VERBS = frozenset({"call", "dub", "nickname", "christen"})
_NICKNAME_NOUNS = frozenset(
    {"nickname", "moniker", "epithet", "sobriquet", "alias", "cognomen", "pseudonym"}
)
_NAME_OF_NOUNS = _NICKNAME_NOUNS | {"name"}


def _nicknames(spans: list[Span]) -> list[tuple[int, int]]:
    """(nickname, named) index pairs of ``spans``: a name the sentence gives as another name of
    a name (``York is known as England's "City of Festivals"``, ``Łódź is jokingly referred to
    as the "HollyŁódź"``, ``Cleveland earned the nickname the "Comeback City"``, ``Hurricane
    Sandy, dubbed Superstorm Sandy``). The nickname then refers to the named one
    (``antecedent_mention_id``) and resolves to its entity."""
    span_of_token = {token.i: index for index, span in enumerate(spans) for token in span}
    span_of_text = {span.text: index for index, span in enumerate(spans)}
    pairs = []
    for index, span in enumerate(spans):
        named = _named_by(span.root)
        if named is None:
            continue
        target = span_of_token.get(named.i)
        if target is None:  # a name spaCy tagged elsewhere in the document but not here
            target = span_of_text.get(_compound_name(named))
        if target is not None and target != index and spans[target].text != span.text:
            pairs.append((index, target))
    return pairs


def _compound_name(word) -> str:
    """The words of a noun with the compound words before it ("Fort Lee" for "Lee")."""
    start = word.i
    while start > 0 and word.doc[start - 1].dep_ == "compound" and word.doc[start - 1].head == word:
        start -= 1
    return word.doc[start : word.i + 1].text


def _named_by(word):
    """The token of the name a nickname headed by ``word`` is given to, if a naming
    construction links them (see ``_nicknames``)."""
    head = word.head
    if word.dep_ == "pobj" and head.lower_ == "as" and head.head.lemma_ in _KNOWN_AS_VERBS:
        return _bearer(head.head, ("nsubjpass",))
    if (
        word.dep_ == "pobj"
        and head.lower_ == "of"
        and head.head.lemma_ in _NAME_OF_NOUNS
        and head.head.dep_ == "attr"
    ):
        return _bearer(head.head.head, ("nsubj",))
    if word.dep_ == "oprd" and head.lemma_ in _NICKNAMING_VERBS:
        return _bearer(head, ("nsubjpass", "dobj"))
    if word.dep_ == "appos" and head.lemma_ in _NICKNAME_NOUNS:
        verb = head
        while verb.dep_ not in {"ROOT", "acl"} and verb.pos_ not in {"VERB", "AUX"}:
            verb = verb.head
        return _bearer(verb, ("nsubj", "nsubjpass"))
    if word.dep_ == "appos" and head.dep_ == "dobj" and head.head.lemma_ in _NICKNAMING_VERBS:
        return head  # "fans call Messina the Mets Poet", parsed as an apposition
    return None


def _bearer(verb, roles: tuple[str, ...]):
    """The one named by a naming verb: the noun a participle modifies ("X, dubbed Y", "X,
    self-identified as Y"), the subject of the clause a participle adds to ("X was ..., also
    known as Y"), else the verb's argument in one of ``roles``."""
    if verb.dep_ in {"acl", "amod"}:
        return verb.head
    if verb.dep_ == "advcl" and verb.tag_ == "VBN":
        verb, roles = verb.head, ("nsubj", "nsubjpass")
    return next((child for child in verb.children if child.dep_ in roles), None)


_COORDINATORS = frozenset({"and", "&"})


def _coordinations_split(names: list[tuple[Span, str]]) -> list[tuple[Span, str]]:
    """Two names the recognizer ran into one through ``and`` / ``&`` (``Lopez and
    Carrasquillo``, ``Tempe & Mesa``, ``Laci and Conner``) are two mentions when the document
    knows each part as a name of its own: a name it tags alone, a word of a person's name it
    tags, or a place of the gazetteer; each part takes the label the document gives it alone
    (else PERSON for a person's word, GPE for a place). A name that is itself a place
    (``Trinidad and Tobago``) or whose parts are unknown alone (``Globe and Mail``, ``Fish and
    Wildlife Service``) stays whole."""
    labels: dict[str, Counter] = defaultdict(Counter)
    person_words: set[str] = set()
    for span, label in names:
        labels[span.text][label] += 1
        if label == "PERSON":
            person_words.update(token.text for token in span if token.is_alpha)
    result = []
    for span, label in names:
        parts = _coordinated_parts(span)
        part_labels = [_label_alone(part, labels, person_words) for part in parts]
        if parts and all(part_labels):
            result.extend(zip(parts, part_labels, strict=True))
        else:
            result.append((span, label))
    return result


def _coordinated_parts(span: Span) -> list[Span]:
    """The two names either side of the one ``and`` / ``&`` of a span without a comma, all of
    whose words are name words, when the span is no place and the two differ (``Johnson &
    Johnson``); else none."""
    joins = [token.i for token in span if token.lower_ in _COORDINATORS]
    if len(joins) != 1 or any(token.text == "," for token in span):
        return []
    first, second = span.doc[span.start : joins[0]], span.doc[joins[0] + 1 : span.end]
    if not (len(first) and len(second)) or first.text == second.text:
        return []
    # every word a name word (casing lexicon): not the generic words of one institution's
    # name ("U.S. Fish and Wildlife Service", "Office of Management and Budget")
    words = [token for token in (*first, *second) if token.is_alpha]
    if not all(token.text[:1].isupper() and _usually_capitalized(token.text) for token in words):
        return []
    if lookup_place(span.text, Purpose.ENTITY_RESOLUTION) is not None:
        return []
    return [first, second]


def _label_alone(part: Span, labels: dict[str, Counter], person_words: set[str]) -> str | None:
    counts = labels.get(part.text)
    if counts:
        return min(counts, key=lambda label: (-counts[label], label))
    if len(part) == 1 and part.text in person_words:
        return "PERSON"
    place = lookup_place(part.text, Purpose.ENTITY_RESOLUTION)
    return "GPE" if place is not None and place.kind != "demonym" else None


# A word capitalized mid-sentence at least this often (casing lexicon) is a name word: alone, it
# is a name wherever it is written capitalized, and it cannot begin a sentence as a common word.
_NAME_WORD_CAP = 0.5


def _usually_capitalized(word: str) -> bool:
    """Whether a word is written capitalized mid-sentence more often than not (or is unknown to
    the casing lexicon): ``York``, ``Łódź``, ``English``; not ``Court`` or ``Will``."""
    return load_lexicon().cap_probability.get(word.lower(), 1.0) >= _NAME_WORD_CAP


def _capitalized_word(token) -> bool:
    return token.is_alpha and token.text[:1].isupper()


def _runs_on(doc: Doc, start: int, end: int) -> bool:
    """Whether the words at ``start:end`` belong to a longer capitalized name: a capitalized word
    right before (unless it begins the sentence and is a common word: "In York") or a word
    beginning with a capital right after them ("New York", "York Minster", "BlackBerry Q10"
    are not "York" or "BlackBerry")."""
    if start > 0:
        before = doc[start - 1]
        if _capitalized_word(before) and not (
            before.is_sent_start and not _usually_capitalized(before.text)
        ):
            return True
    return end < len(doc) and doc[end].text[:1].isupper()


def _describes_a_person(span: Span) -> bool:
    """``Brooklyn`` in "a Brooklyn mother": a name modifying a person noun is part of a
    description of someone (``descriptions``), not a mention of its own to add."""
    root = span.root
    head = root.head
    return (
        root.dep_ in {"compound", "amod", "nmod"}
        and not span.start <= head.i < span.end
        and is_person_noun(head)
    )


def repeated_name_mentions(
    doc: Doc,
    doc_id: str,
    names: list[dict],
    covered: list[dict],
    sentence_starts: list[int],
    to_raw: RawSpan = identity_span,
) -> list[dict]:
    """Mentions of the document's names where spaCy tagged the same words elsewhere but not
    there (one name, one reading per document: "York" tagged in five sentences of a travel
    guide and left out in eleven). ``names``: the document's name mention rows; ``covered``:
    every mention row whose words no new mention may overlap (names, descriptions).

    An occurrence counts when it is written exactly so (case included) on token boundaries,
    outside every spaCy entity and every covered mention, is not part of a longer capitalized
    name (``_runs_on``) and does not describe a person (``_describes_a_person``); a one-word
    name counts only when it is a name word by the casing lexicon (not "Court" or "Will",
    common words capitalized as a name now and then). It takes the label spaCy gives that name
    most often in the document. Longer names are placed first, so "Fort Lee" is found before
    "Lee"."""
    # Token ranges and word ids from arrays: a row's span is found by bisecting the tokens'
    # offsets, and no Token object is made per word of the document.
    offsets = doc.to_array(IDX).tolist()
    orths = doc.to_array(ORTH)

    def token_range(row: dict) -> tuple[int, int]:
        return bisect_left(offsets, row["start_char"]), bisect_left(offsets, row["end_char"])

    labels: dict[tuple[int, ...], Counter] = defaultdict(Counter)
    for row in names:
        start, end = token_range(row)
        if start >= end or not _capitalized_word(doc[start]):
            continue
        first = doc[start].text
        if end - start == 1 and (len(first) < 2 or not _usually_capitalized(first)):
            continue
        labels[tuple(orths[start:end].tolist())][row["label"]] += 1
    if not labels:
        return []
    taken = bytearray(len(doc))
    for ent in doc.ents:
        taken[ent.start : ent.end] = b"\x01" * len(ent)
    for row in covered:
        start, end = token_range(row)
        taken[start:end] = b"\x01" * (end - start)
    first_ids = numpy.fromiter({ids[0] for ids in labels}, dtype=orths.dtype)
    starts: dict[int, list[int]] = defaultdict(list)
    for index in numpy.flatnonzero(numpy.isin(orths, first_ids)).tolist():
        starts[int(orths[index])].append(index)
    strings = doc.vocab.strings
    rows = []
    for ids in sorted(labels, key=lambda ids: (-len(ids), [strings[i] for i in ids])):
        counts = labels[ids]
        label = min(counts, key=lambda name: (-counts[name], name))
        width = len(ids)
        for start in starts[ids[0]]:
            end = start + width
            if end > len(doc) or any(taken[start:end]):
                continue
            if tuple(orths[start:end].tolist()) != ids or _runs_on(doc, start, end):
                continue
            span = doc[start:end]
            if _describes_a_person(span):
                continue
            taken[start:end] = b"\x01" * width
            row = _row(span, label, doc_id, sentence_starts, to_raw)
            rows.append({**row, "demonym_use": demonym_use(span, label), "repeated": True})
    return sorted(rows, key=lambda row: row["start_char"])


def _is_common_noun_phrase(span: Span) -> bool:
    """``a parliamentary Republic``: one capitalized word heading an indefinite noun phrase is a
    common noun whose capital came from casing restoration or a headline, not a name, unless the
    gazetteer knows it (``an American``, ``a Kyrgyz``)."""
    if len(span) != 1 or lookup_place(span.text, Purpose.ENTITY_RESOLUTION) is not None:
        return False
    return any(child.dep_ == "det" and child.lower_ in {"a", "an"} for child in span[0].children)


def _row(span: Span, label: str, doc_id: str, sentence_starts: list[int], to_raw: RawSpan) -> dict:
    raw_start, raw_end = to_raw(span.start_char, span.end_char)
    return {
        "mention_id": stable_id(doc_id, span.start_char, span.end_char),
        "doc_id": doc_id,
        "sentence_idx": max(0, bisect_right(sentence_starts, span.start_char) - 1),
        "start_char": span.start_char,
        "end_char": span.end_char,
        "raw_start_char": raw_start,
        "raw_end_char": raw_end,
        "text": span.text,
        # The resolved entity's label replaces ``label`` when entities are applied; spaCy's own
        # label stays in ``spacy_label``, which resolution reads.
        "label": label,
        "spacy_label": label,
        "antecedent_mention_id": None,
        "repeated": False,  # repeated_name_mentions marks its own
    }


def extract_descriptions(
    doc: Doc,
    doc_id: str,
    names: list[dict],
    sentence_starts: list[int],
    to_raw: RawSpan = identity_span,
    share: float | None = None,
) -> list[dict]:
    """One row per person description that refers to one of the document's ``names`` (rows of
    ``extract_mentions``): labelled PERSON, no spaCy label, ``antecedent_mention_id`` the name's.

    ``share`` overrides the learned protagonist share (``descriptions.description_mentions``).
    """
    rows = []
    for span, name in description_mentions(doc, names, share):
        row = _row(span, "PERSON", doc_id, sentence_starts, to_raw)
        row["spacy_label"] = None
        row["antecedent_mention_id"] = name["mention_id"]
        rows.append(row)
    return rows
