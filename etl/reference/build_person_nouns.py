"""Build ``data/person_nouns.txt``: nouns whose most frequent WordNet sense is a person.

Run ``python -m etl.reference.build_person_nouns [WORDNET_DIR]`` (default
``/usr/share/wordnet``, Debian package ``wordnet-base``, WordNet 3.0). A noun counts when the first
synset listed for it in ``index.noun`` (WordNet orders senses by frequency) lies in the
lexicographer file ``noun.person`` (number 18): ``president``, ``leader``, ``candidate``,
``spokesman``, ``driver``, ``inmate``. Description resolution reads the committed list, so the
pipeline never needs WordNet.

It also writes ``data/person_noun_genders.tsv``: the person nouns whose first sense is a kind of
``female person`` or ``male person`` (hypernym closure in ``data.noun``: ``woman``, ``girl``;
``man``, ``boy``) or whose first sense's definition starts by saying so ("a woman who has given
birth ...": ``mother``; "a female human offspring": ``daughter``), so that "an Arkansas woman"
never refers to a man.
"""

from __future__ import annotations

import sys
from pathlib import Path

from etl.build.steps import WORDNET_DIR

NOUN_PERSON = "18"
OUTPUT = Path(__file__).resolve().parent / "data" / "person_nouns.txt"
GENDER_OUTPUT = Path(__file__).resolve().parent / "data" / "person_noun_genders.tsv"
# Synset offsets of WordNet 3.0's female.n.02 (female person) and male.n.02 (male person).
GENDER_SYNSETS = {"09619168": "female", "09624168": "male"}
_HYPERNYM_POINTERS = frozenset({"@", "@i"})


def _synset_files(wordnet: Path) -> dict[str, str]:
    """Synset offset -> lexicographer file number, from ``data.noun``."""
    files = {}
    with (wordnet / "data.noun").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):
                continue  # the license header
            offset, lex_file = line.split(" ", 2)[:2]
            files[offset] = lex_file
    return files


# Opening words of a definition that give the person's sex ("a woman who ...", "a male child").
_DEFINITION_GENDERS = {
    "female": ("a woman", "a female", "a girl", "woman", "female", "a wife", "a lady"),
    "male": ("a man", "a male", "a boy", "man", "male", "a husband"),
}


def _definitions(wordnet: Path) -> dict[str, str]:
    """Synset offset -> its definition (the gloss before the first example)."""
    definitions = {}
    with (wordnet / "data.noun").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith(" ") and " | " in line:
                definitions[line.split(" ", 1)[0]] = line.split(" | ", 1)[1].split(";")[0]
    return definitions


def _definition_gender(definition: str) -> str | None:
    lowered = definition.lower()
    found = {
        gender
        for gender, openings in _DEFINITION_GENDERS.items()
        if any(lowered.startswith(opening + " ") for opening in openings)
    }
    return found.pop() if len(found) == 1 else None


def _hypernyms(wordnet: Path) -> dict[str, list[str]]:
    """Synset offset -> offsets of its hypernyms (class and instance), from ``data.noun``."""
    hypernyms: dict[str, list[str]] = {}
    with (wordnet / "data.noun").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):
                continue
            fields = line.split(" | ")[0].split()
            n_words = int(fields[3], 16)
            position = 4 + 2 * n_words
            n_pointers = int(fields[position])
            pointers = fields[position + 1 : position + 1 + 4 * n_pointers]
            hypernyms[fields[0]] = [
                pointers[index + 1]
                for index in range(0, len(pointers), 4)
                if pointers[index] in _HYPERNYM_POINTERS
            ]
    return hypernyms


def _first_synsets(wordnet: Path) -> dict[str, str]:
    """Single-word lowercase noun -> its first (most frequent) synset offset."""
    first = {}
    with (wordnet / "index.noun").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, n_synsets = fields[0], int(fields[2])
            if lemma.isalpha() and lemma.islower():
                first[lemma] = fields[-n_synsets]
    return first


def person_noun_genders(wordnet: Path) -> dict[str, str]:
    """Person noun -> ``female`` / ``male`` when its first sense is a kind of that person."""
    hypernyms = _hypernyms(wordnet)
    definitions = _definitions(wordnet)
    persons = set(person_nouns(wordnet))
    genders = {}
    for lemma, synset in _first_synsets(wordnet).items():
        if lemma not in persons:
            continue
        seen, frontier = set(), [synset]
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            frontier.extend(hypernyms.get(current, ()))
        found = {GENDER_SYNSETS[offset] for offset in seen & GENDER_SYNSETS.keys()}
        if len(found) == 1:
            genders[lemma] = found.pop()
        elif not found and (gender := _definition_gender(definitions.get(synset, ""))):
            genders[lemma] = gender
    return dict(sorted(genders.items()))


def person_nouns(wordnet: Path) -> list[str]:
    """Single-word lowercase nouns whose first sense is a person."""
    files = _synset_files(wordnet)
    return sorted(
        lemma
        for lemma, synset in _first_synsets(wordnet).items()
        if files.get(synset) == NOUN_PERSON
    )


def write_person_nouns(wordnet: Path) -> int:
    """Write the person-noun list (``OUTPUT``) from the WordNet files; returns its length."""
    nouns = person_nouns(wordnet)
    header = "# Nouns whose most frequent WordNet 3.0 sense is a person (build_person_nouns.py)\n"
    OUTPUT.write_text(header + "\n".join(nouns) + "\n", encoding="utf-8")
    genders = person_noun_genders(wordnet)
    GENDER_OUTPUT.write_text(
        "# Person nouns whose first WordNet 3.0 sense is a female or male person"
        " (build_person_nouns.py)\n"
        + "".join(f"{noun}\t{gender}\n" for noun, gender in genders.items()),
        encoding="utf-8",
    )
    return len(nouns)


def main() -> None:
    wordnet = Path(sys.argv[1]) if len(sys.argv) > 1 else WORDNET_DIR
    print(f"{write_person_nouns(wordnet)} person nouns -> {OUTPUT}")


if __name__ == "__main__":
    main()
