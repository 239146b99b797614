"""Build the PLOVER trigger lexicon and the word classes the event rules read, from WordNet 3.0.

Inputs: ``data/plover_categories.tsv`` (the PLOVER categories and the seed words their manual
descriptions use) and the WordNet 3.0 dictionary files (Debian package ``wordnet-base``, files
under ``/usr/share/wordnet``; WordNet license: free use with the copyright notice kept).
Outputs, committed so that runtime needs no WordNet:

* ``data/plover_lexicon.tsv``: every seed, plus what WordNet says about the seed's sense:
  its synonyms, its direct troponyms / hyponyms, and the nouns derivationally related to its
  words (nominalizations: "accusation" from "accuse"). Each entry records its ``source``
  (seed, synonym, hyponym, nominalization) so that the trigger scorer can learn how far each
  kind of expansion can be trusted.
* ``data/word_classes.tsv``: the WordNet lexicographer class of the most frequent sense of
  every noun that names a person, a group, a location, an artifact (buildings, bases, plants)
  or a feeling, and of every verb of emotion or motion: the semantic class of an argument that
  has no named-entity label ("the ministry", "the city", "an air base", "with joy", "hopes
  to"), and whether "to X" after a verb is a destination ("marched to") or an addressee.

How the sense of a seed is chosen: among the seed word's first senses, the one whose synset,
hypernyms, hyponyms and derivational relatives hold the most other seeds of the same category
(ties go to the more frequent sense); when no sense's neighbourhood holds another seed, the
sense whose definition (gloss) shares most words with the category's definition in the PLOVER
manual and its other seeds ("storm": "take by force in a sudden attack", not "blow hard"), and
none when no gloss shares a word. A derived word is kept only when that synset is one of
its own two most frequent senses, so a word enters the lexicon in the meaning it usually has.
A word derived for two categories goes to the closer relation (seed, synonym, nominalization,
hyponym), and is dropped when that does not decide.

Usage: ``python -m etl.stages.extract.build_lexicon [WORDNET_DIR]``
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.build.steps import WORDNET_DIR
from etl.stages.extract.events import DATA_DIR

POS_FILES = {"NOUN": "noun", "VERB": "verb"}
# Lexicographer file numbers of WordNet 3.0 (lexnames(5WN)).
LEXNAMES = {
    4: "noun.act",
    6: "noun.artifact",
    7: "noun.attribute",
    9: "noun.cognition",
    10: "noun.communication",
    11: "noun.event",
    12: "noun.feeling",
    14: "noun.group",
    15: "noun.location",
    18: "noun.person",
    22: "noun.process",
    26: "noun.state",
    37: "verb.emotion",
    38: "verb.motion",
}
WORD_CLASSES = {
    "noun.person",
    "noun.group",
    "noun.location",
    "noun.artifact",
    "noun.feeling",
    "verb.emotion",
    "verb.motion",
}
# Nominalizations name the event itself, not its agent ("accuser") or its result object.
EVENT_NOUN_CLASSES = {
    "noun.act",
    "noun.communication",
    "noun.event",
    "noun.process",
    "noun.state",
    "noun.feeling",
    "noun.cognition",
}
SOURCE_RANK = {"seed": 0, "synonym": 1, "nominalization": 2, "hyponym": 3}
SENSES_CONSIDERED = 4  # a seed's sense is chosen among its most frequent senses
DOMINANT_SENSES = 2  # a derived word must have the synset among its most frequent senses
WORDNET_NOTICE = (
    "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
    "(license: https://wordnet.princeton.edu/license-and-commercial-use)"
)


@dataclass
class Synset:
    """One WordNet synset: lexicographer class, words, and pointers."""

    pos: str
    lexname: str
    words: list[str]
    # (pointer symbol, target offset, target pos, source word index, target word index)
    pointers: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    gloss: str = ""  # the definition and examples after "|"


class WordNet:
    """The parts of the WordNet 3.0 database files the build reads."""

    def __init__(self, directory: Path):
        self.senses: dict[tuple[str, str], list[str]] = {}
        self.synsets: dict[tuple[str, str], Synset] = {}
        for pos, suffix in POS_FILES.items():
            for line in (directory / f"index.{suffix}").read_text(encoding="utf-8").splitlines():
                if line.startswith(" "):
                    continue
                parts = line.split()
                n_senses, n_pointers = int(parts[2]), int(parts[3])
                self.senses[(parts[0], pos)] = parts[6 + n_pointers : 6 + n_pointers + n_senses]
            for line in (directory / f"data.{suffix}").read_text(encoding="utf-8").splitlines():
                if line.startswith(" "):
                    continue
                self.synsets[(line[:8], pos)] = _parse_synset(line, pos)

    def senses_of(self, lemma: str, pos: str) -> list[Synset]:
        return [self.synsets[(o, pos)] for o in self.senses.get((lemma, pos), [])]

    def offsets_of(self, lemma: str, pos: str) -> list[str]:
        return self.senses.get((lemma, pos), [])

    def related(self, synset: Synset, symbols: set[str]) -> list[tuple[Synset, str, int, int]]:
        """(target synset, target offset, source word, target word) for pointers of a kind."""
        found = []
        for symbol, offset, pos, source, target in synset.pointers:
            if symbol in symbols and (offset, pos) in self.synsets:
                found.append((self.synsets[(offset, pos)], offset, source, target))
        return found


def synset_lemmas(line: str) -> list[str]:
    """The lemmas of a line of a WordNet data file as WordNet writes them: case kept, words
    joined by underscores, adjective markers such as "(p)" dropped."""
    fields = line.split()
    return [_strip_marker(fields[4 + 2 * i]) for i in range(int(fields[3], 16))]


def data_file_lemmas(directory: Path, suffix: str) -> Iterator[list[str]]:
    """Each synset's ``synset_lemmas`` in the data file ``data.<suffix>`` ("noun", "verb"...)."""
    with (directory / f"data.{suffix}").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith(" "):  # the licence header
                yield synset_lemmas(line)


def _parse_synset(line: str, pos: str) -> Synset:
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    lexfile = int(fields[1])
    n_words = int(fields[3], 16)
    words = [word.lower() for word in synset_lemmas(head)]
    at = 4 + 2 * n_words
    n_pointers = int(fields[at])
    pointers = []
    for i in range(n_pointers):
        symbol, offset, target_pos, source_target = fields[at + 1 + 4 * i : at + 5 + 4 * i]
        target_pos = {"n": "NOUN", "v": "VERB"}.get(target_pos, target_pos)
        pointers.append(
            (symbol, offset, target_pos, int(source_target[:2], 16), int(source_target[2:], 16))
        )
    return Synset(pos, LEXNAMES.get(lexfile, f"lexfile.{lexfile}"), words, pointers, gloss.strip())


def _strip_marker(word: str) -> str:
    """Adjective markers such as "(p)" are not part of the word."""
    return word.split("(")[0]


@dataclass(frozen=True)
class Seed:
    event_type: str
    pos: str
    lemma: str
    mode: str
    notes: str


def read_seeds(path: Path) -> list[Seed]:
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [
            Seed(r["event_type"], r["pos"], r["lemma"], r["mode"], r["notes"] or "") for r in rows
        ]


def _neighbourhood(wordnet: WordNet, synset: Synset) -> set[str]:
    words = set(synset.words)
    for target, _, _, _ in wordnet.related(synset, {"@", "~", "+", "@i", "~i"}):
        words.update(target.words)
    return {w.replace("_", " ") for w in words}


def choose_sense(wordnet: WordNet, seed: Seed, same_type: set[str]) -> tuple[str, Synset] | None:
    """The seed's sense that shares most words with the other seeds of its category, or None
    when no sense shares any: then nothing corroborates a sense and the seed stays unexpanded."""
    return _best_sense(
        wordnet,
        seed,
        lambda synset: len(_neighbourhood(wordnet, synset) & (same_type - {seed.lemma})),
    )


def _best_sense(wordnet: WordNet, seed: Seed, overlap_of) -> tuple[str, Synset] | None:
    """Among the seed's most frequent senses, the one of largest positive overlap (ties go to
    the more frequent sense), or None when every overlap is zero."""
    pos = "VERB" if seed.pos in {"VERB", "EVAL"} else seed.pos
    if pos not in POS_FILES:
        return None
    offsets = wordnet.offsets_of(seed.lemma.replace(" ", "_"), pos)[:SENSES_CONSIDERED]
    best: tuple[int, int] | None = None
    chosen = None
    for rank, offset in enumerate(offsets):
        synset = wordnet.synsets[(offset, pos)]
        overlap = overlap_of(synset)
        key = (-overlap, rank)
        if overlap and (best is None or key < best):
            best, chosen = key, (offset, synset)
    return chosen


# Words of a gloss or a category definition that say nothing about the sense.
_FUNCTION_WORDS = (
    "a an the and or of to in on for with by as at from into be is are that which who whom "
    "something someone somebody one ones other others its it their his her make do give take "
    "get have state express act action otherwise including include such not"
)
# particles of two-word seeds ("pull out", "cut off") say nothing without their verb
_PARTICLES = "out off back down over"
GLOSS_STOPWORDS = frozenset(f"{_FUNCTION_WORDS} {_PARTICLES}".split())
GLOSS_SUFFIXES = ("ations", "ation", "ions", "ion", "ments", "ment", "ing", "ed", "es", "s", "e")


def gloss_stems(text: str) -> set[str]:
    """Content words of a text, lowercased and stripped of a common inflectional or
    nominalizing suffix, so that "demands" and "demand", "withdrawal" and "withdraw" meet."""
    stems = set()
    for word in "".join(c.lower() if c.isalpha() else " " for c in text).split():
        if word in GLOSS_STOPWORDS or len(word) < 3:
            continue
        for suffix in GLOSS_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        stems.add(word)
    return stems


def definition_of(gloss: str) -> str:
    """A WordNet gloss without its quoted examples."""
    return "; ".join(part for part in gloss.split(";") if not part.strip().startswith('"'))


def choose_sense_by_gloss(
    wordnet: WordNet, seed: Seed, category_words: set[str]
) -> tuple[str, Synset] | None:
    """The seed's sense whose definition shares most words with its category's definition in
    the PLOVER manual and the category's other seeds (``category_words``: their stems), for a
    seed whose senses no other seed's WordNet neighbourhood corroborates; None when no
    definition shares a word."""
    own = gloss_stems(seed.lemma)
    return _best_sense(
        wordnet,
        seed,
        lambda synset: len(gloss_stems(definition_of(synset.gloss)) & (category_words - own)),
    )


def read_definitions(path: Path) -> dict[str, str]:
    """The category definitions in the header of ``plover_categories.tsv``: a comment line
    "# CATEGORY   definition" and its indented continuation lines."""
    definitions: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        words = body.split()
        if words and words[0].isupper() and words[0].isalpha() and body.startswith(" " + words[0]):
            current = words[0]
            definitions[current] = body.strip()[len(current) :].strip()
        elif current and body.startswith("            ") and words:
            definitions[current] += " " + body.strip()
        else:
            current = None
    return definitions


def _entry_form(word: str) -> str | None:
    """A WordNet word as a lexicon lemma: one word or two (``pull_out`` -> "pull out")."""
    parts = word.split("_")
    if len(parts) > 2 or not all(p.replace("-", "").isalpha() for p in parts):
        return None
    return " ".join(parts)


def _dominant(wordnet: WordNet, word: str, pos: str, offset: str) -> bool:
    return offset in wordnet.offsets_of(word, pos)[:DOMINANT_SENSES]


def expand(
    wordnet: WordNet,
    seeds: list[Seed],
    closed: frozenset[str],
    definitions: dict[str, str] | None = None,
) -> list[dict]:
    """Seed rows plus their WordNet relatives, one row per (lemma, pos), conflicts resolved.
    Words of the closed classes the rules read otherwise (reporting and support verbs) are
    never derived: "say" is a synonym of "allege" but reports, it does not accuse.
    ``definitions``: the category definitions of the PLOVER manual, by which the sense of a
    seed no other seed corroborates is chosen (``choose_sense_by_gloss``)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for seed in seeds:
        by_type[seed.event_type].add(seed.lemma)
    category_words = {
        event_type: gloss_stems((definitions or {}).get(event_type, ""))
        | set().union(*(gloss_stems(lemma) for lemma in lemmas))
        for event_type, lemmas in by_type.items()
    }
    candidates: dict[tuple[str, str], list[dict]] = defaultdict(list)

    def add(lemma: str | None, pos: str, seed: Seed, source: str, sense_rank: int) -> None:
        if lemma is None or (source != "seed" and lemma in closed):
            return
        flags = "reciprocal" if "reciprocal" in seed.notes and source != "hyponym" else ""
        candidates[(lemma, pos)].append(
            {
                "lemma": lemma,
                "pos": pos,
                "event_type": seed.event_type,
                "mode": seed.mode,
                "notes": seed.notes if source == "seed" else flags,
                "source": source,
                "from": seed.lemma,
                "rank": (SOURCE_RANK[source], sense_rank),
            }
        )

    for seed in seeds:
        add(seed.lemma, seed.pos, seed, "seed", 0)
    for seed in seeds:
        if "seed-only" in seed.notes or seed.pos == "ADJ":
            continue
        chosen = choose_sense(wordnet, seed, by_type[seed.event_type])
        if chosen is None and definitions:
            chosen = choose_sense_by_gloss(wordnet, seed, category_words[seed.event_type])
        if chosen is None:
            continue
        offset, synset = chosen
        pos = seed.pos
        for word in synset.words:
            if _dominant(wordnet, word, synset.pos, offset):
                add(_entry_form(word), pos, seed, "synonym", 0)
        for target, target_offset, _, _ in wordnet.related(synset, {"~"}):
            for word in target.words:
                if _dominant(wordnet, word, target.pos, target_offset):
                    add(_entry_form(word), pos, seed, "hyponym", 1)
        if synset.pos == "VERB" and seed.pos == "VERB":
            for target, target_offset, _, target_word in wordnet.related(synset, {"+"}):
                if target.pos != "NOUN" or target.lexname not in EVENT_NOUN_CLASSES:
                    continue
                words = target.words if target_word == 0 else [target.words[target_word - 1]]
                for word in words:
                    if _dominant(wordnet, word, "NOUN", target_offset):
                        add(_entry_form(word), "NOUN", seed, "nominalization", 1)
    rows = []
    for (_, _), options in sorted(candidates.items()):
        best = min(o["rank"] for o in options)
        winners = {o["event_type"] for o in options if o["rank"] == best}
        if len(winners) != 1:
            continue  # two categories at the same distance: the word does not decide
        winner = min((o for o in options if o["rank"] == best), key=lambda o: o["from"])
        rows.append(winner)
    return rows


def word_classes(wordnet: WordNet) -> list[tuple[str, str, str]]:
    """(lemma, pos, class) for single words whose most frequent sense is in WORD_CLASSES."""
    found = []
    for (lemma, pos), offsets in sorted(wordnet.senses.items()):
        if not offsets or "_" in lemma or not lemma.replace("-", "").isalpha():
            continue
        lexname = wordnet.synsets[(offsets[0], pos)].lexname
        if lexname in WORD_CLASSES:
            found.append((lemma, pos, lexname))
    return found


def occurrence_verbs(wordnet: WordNet) -> list[str]:
    """The lexicon forms ("happen", "take place") of the words whose dominant senses include the
    most frequent sense of "happen": verbs that say an event came to pass."""
    offset = wordnet.offsets_of("happen", "VERB")[0]
    synset = wordnet.synsets[(offset, "VERB")]
    return [
        form
        for word in synset.words
        if _dominant(wordnet, word, "VERB", offset) and (form := _entry_form(word)) is not None
    ]


def write_word_list(words: list[str], path: Path, header: str) -> None:
    """One word per line under a ``#`` comment: ``header``, its last line continued by
    WordNet's attribution."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(f"# {line}\n" for line in (header + WORDNET_NOTICE).split("\n"))
        handle.writelines(f"{word}\n" for word in words)


def write_occurrence_verbs(words: list[str], path: Path) -> None:
    write_word_list(
        words,
        path,
        "Verbs saying an event came to pass: their event-noun subject is an event\n"
        "(\"the meeting took place\"). One lemma, or 'verb particle-or-object', per line;\n"
        "generated by python -m etl.stages.extract.build_lexicon from ",
    )


def write_lexicon(rows: list[dict], path: Path) -> None:
    header = [
        "PLOVER trigger lexicon, generated: do not edit; edit plover_categories.tsv and run",
        "  python -m etl.stages.extract.build_lexicon",
        "Seeds from plover_categories.tsv (adapted from the PLOVER manual, CC BY-SA 4.0),",
        f"expanded through {WORDNET_NOTICE}",
        "columns: lemma<TAB>pos<TAB>event_type<TAB>mode<TAB>notes<TAB>source<TAB>derived_from",
        "lemma: a single lemma, or two words: for VERB 'verb particle-or-object' (blow up),",
        "  for NOUN 'modifier noun' (hunger strike). Two-word entries win over one-word ones.",
        "pos: VERB, NOUN (counts only as the object of a support verb, see support_verbs.txt, or",
        "  in an evaluative frame, see evaluative_verbs.txt), ADJ, or EVAL (a verb that accuses",
        "  only inside an evaluative frame). notes: flags 'reciprocal', 'active' (no passive",
        "  reading), 'ccomp=report' (reports when it takes a clause and no object),",
        "  'party-object' (an event only when its direct object is a party: 'received Babanov').",
        "source: seed, synonym, hyponym or nominalization (WordNet relation to a seed).",
    ]
    fields = ["lemma", "pos", "event_type", "mode", "notes", "source", "derived_from"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(f"# {line}\n" for line in header)
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            writer.writerow(
                [
                    row["lemma"],
                    row["pos"],
                    row["event_type"],
                    row["mode"] or "-",
                    row["notes"],
                    row["source"],
                    row["from"],
                ]
            )


def write_word_classes(rows: list[tuple[str, str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# WordNet class of the most frequent sense of nouns naming a person, group,\n"
            "# location, artifact or feeling and of verbs of emotion; generated by\n"
            "# python -m etl.stages.extract.build_lexicon from " + WORDNET_NOTICE + "\n"
        )
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["lemma", "pos", "class"])
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else WORDNET_DIR
    if not (directory / "data.verb").exists():
        print(f"no WordNet 3.0 files under {directory} (apt-get install wordnet-base)")
        return 1
    wordnet = WordNet(directory)
    seeds = read_seeds(DATA_DIR / "plover_categories.tsv")
    closed = frozenset(
        line.strip().lower()
        for name in ("reporting_verbs.txt", "support_verbs.txt")
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    definitions = read_definitions(DATA_DIR / "plover_categories.tsv")
    rows = expand(wordnet, seeds, closed, definitions)
    write_lexicon(rows, DATA_DIR / "plover_lexicon.tsv")
    classes = word_classes(wordnet)
    write_word_classes(classes, DATA_DIR / "word_classes.tsv")
    write_occurrence_verbs(occurrence_verbs(wordnet), DATA_DIR / "occurrence_verbs.txt")
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["source"]] += 1
    print(
        f"{len(seeds)} seeds -> {len(rows)} lexicon entries "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"; {len(classes)} word classes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
