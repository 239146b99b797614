"""Build ``data/demonym_heads.tsv``: the WordNet classes of the nouns a demonym can modify.

How a sentence uses a demonym (``etl.stages.resolve.demonyms``) depends, when the demonym
modifies a noun, on what that noun names:

* ``language``: a language, a unit or work of language or the study of one (``American
  English``, ``French word``, ``German name``, ``Russian literature``, ``English grammar``,
  ``English syntax``): the noun's most frequent sense lies under WordNet's *language,
  linguistic communication*, *language unit*, *literature* or *linguistics* synsets (hyponym
  closure, so every language WordNet names, ``English`` included) or is filed under WordNet's
  *linguistics* topic domain (``syntax``: the grammatical arrangement of words). The most
  frequent sense takes precedence: such a noun is a language noun whatever its later senses
  (``syntax`` is also "a systematic orderly arrangement", a group);
* ``actor``: a person who acts for a state or a group of persons (``Kyrgyz officials``,
  ``Kazakh leader``, ``Indian soldiers``, ``the Kazakh side``, ``Kyrgyz nation``, ``Indian
  army``): one of the noun's two most frequent senses lies under WordNet's leader, official,
  representative, politician, officeholder, head of state, ruler, diplomat, negotiator,
  serviceman or authority (a person) synsets, or is in the ``noun.group`` class: the demonym
  then stands for the country whose people or institution act. Other persons (``Danish
  linguist``, ``Somali pirates``, ``Australian woman``) only say where someone is from.

Nouns in neither list (``American city``, ``French cuisine``) make the demonym a cultural
adjective. Read at build time from the WordNet 3.0 files of the Debian package
``wordnet-base`` (``/usr/share/wordnet``); the derived table is committed, so runtime needs no
WordNet. Run ``python -m etl.reference.build_demonym_cues [WORDNET_DIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from etl.stages.extract.build_lexicon import WORDNET_DIR, WORDNET_NOTICE, Synset, WordNet

OUTPUT = Path(__file__).parent / "data" / "demonym_heads.tsv"
# Roots of the language class: (lemma, sense rank in WordNet's index, 0 = most frequent).
LANGUAGE_ROOTS = (("language", 0), ("language_unit", 0), ("literature", 0), ("linguistics", 0))
# Roots of the topic domain whose terms are language nouns too (a ";c" pointer to the closure).
LANGUAGE_DOMAIN_ROOTS = (("linguistics", 0),)
# Persons who act for a state: (lemma, sense rank) of the roots of their hyponym closure.
STATE_PERSON_ROOTS = (
    ("leader", 0),
    ("official", 0),
    ("official", 1),
    ("representative", 0),
    ("representative", 1),
    ("politician", 0),
    ("politician", 1),
    ("officeholder", 0),
    ("head_of_state", 0),
    ("ruler", 0),
    ("diplomat", 0),
    ("negotiator", 0),
    ("serviceman", 0),
    ("authority", 1),
    ("authority", 2),
)
GROUP_CLASS = "noun.group"
ACTOR_SENSES = 2  # an actor noun has such a sense among its most frequent senses
HYPONYMS = {"~", "~i"}
TOPIC_DOMAIN = ";c"


def hyponym_closure(wordnet: WordNet, roots: list[Synset]) -> set[int]:
    """Ids of the synsets at or under ``roots`` (hyponyms and instances)."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        synset = stack.pop()
        if id(synset) in seen:
            continue
        seen.add(id(synset))
        stack.extend(target for target, _, _, _ in wordnet.related(synset, HYPONYMS))
    return seen


def demonym_heads(wordnet: WordNet) -> list[tuple[str, str]]:
    """(lemma, class) of single-word nouns that make a demonym modifier a language or an actor."""

    def closure(roots: tuple[tuple[str, int], ...]) -> set[int]:
        return hyponym_closure(
            wordnet, [wordnet.senses_of(lemma, "NOUN")[rank] for lemma, rank in roots]
        )

    language, state_person = closure(LANGUAGE_ROOTS), closure(STATE_PERSON_ROOTS)
    language_domain = closure(LANGUAGE_DOMAIN_ROOTS)

    def names_language(sense: Synset) -> bool:
        topics = wordnet.related(sense, {TOPIC_DOMAIN})
        return id(sense) in language or any(id(topic) in language_domain for topic, *_ in topics)

    found = []
    for (lemma, pos), offsets in sorted(wordnet.senses.items()):
        if pos != "NOUN" or not offsets or "_" in lemma or not lemma.replace("-", "").isalpha():
            continue
        senses = [wordnet.synsets[(offset, pos)] for offset in offsets]
        if names_language(senses[0]):
            found.append((lemma, "language"))
        elif any(
            id(sense) in state_person or sense.lexname == GROUP_CLASS
            for sense in senses[:ACTOR_SENSES]
        ):
            found.append((lemma, "actor"))
    return found


def write_heads(rows: list[tuple[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            "# Nouns a demonym modifies, by what they name: language (most frequent sense under\n"
            "# language / language unit / literature / linguistics or in the linguistics topic\n"
            "# domain) or actor (a person acting for a state or a group among the two most\n"
            "# frequent senses); generated by\n"
            "# python -m etl.reference.build_demonym_cues\n"
            f"# from {WORDNET_NOTICE}\n"
        )
        handle.write("lemma\tclass\n")
        handle.writelines(f"{lemma}\t{kind}\n" for lemma, kind in rows)


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else WORDNET_DIR
    if not (directory / "data.noun").exists():
        print(f"no WordNet 3.0 files under {directory} (apt-get install wordnet-base)")
        return 1
    rows = demonym_heads(WordNet(directory))
    write_heads(rows, OUTPUT)
    counts = {kind: sum(1 for _, k in rows if k == kind) for kind in ("language", "actor")}
    print(f"wrote {OUTPUT}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
