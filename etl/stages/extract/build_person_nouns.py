"""Build ``data/person_nouns.txt``: nouns whose most frequent WordNet sense is a person.

Run ``python -m etl.stages.extract.build_person_nouns [WORDNET_DIR]`` (default
``/usr/share/wordnet``, Debian package ``wordnet-base``, WordNet 3.0). A noun counts when the first
synset listed for it in ``index.noun`` (WordNet orders senses by frequency) lies in the
lexicographer file ``noun.person`` (number 18): ``president``, ``leader``, ``candidate``,
``spokesman``, ``driver``, ``inmate``. Description resolution reads the committed list, so the
pipeline never needs WordNet.
"""

from __future__ import annotations

import sys
from pathlib import Path

NOUN_PERSON = "18"
OUTPUT = Path(__file__).resolve().parent / "data" / "person_nouns.txt"


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


def person_nouns(wordnet: Path) -> list[str]:
    """Single-word lowercase nouns whose first sense is a person."""
    files = _synset_files(wordnet)
    found = []
    with (wordnet / "index.noun").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, n_synsets = fields[0], int(fields[2])
            first_synset = fields[-n_synsets]
            if lemma.isalpha() and lemma.islower() and files.get(first_synset) == NOUN_PERSON:
                found.append(lemma)
    return sorted(found)


def write_person_nouns(wordnet: Path) -> int:
    """Write the person-noun list (``OUTPUT``) from the WordNet files; returns its length."""
    nouns = person_nouns(wordnet)
    header = "# Nouns whose most frequent WordNet 3.0 sense is a person (build_person_nouns.py)\n"
    OUTPUT.write_text(header + "\n".join(nouns) + "\n", encoding="utf-8")
    return len(nouns)


def main() -> None:
    wordnet = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/wordnet")
    print(f"{write_person_nouns(wordnet)} person nouns -> {OUTPUT}")


if __name__ == "__main__":
    main()
