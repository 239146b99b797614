"""Build ``data/given_name_genders.tsv``: given names that are a man's or a woman's name.

Run ``python -m etl.reference.build_name_genders`` (needs the ``dev`` extra's
``gender-guesser``, whose ``nam_dict.txt`` is Jörg Michael's dictionary of about 45,000 given
names from 54 countries, GNU FDL). A name is kept, lower-cased, when the dictionary's verdict
over all countries is ``male`` or ``female``, or mostly one of them (``Mary``: a few
countries give it to men too); names it gives to both alike (``andy``) or does not know are
left out. Description resolution reads the committed list
(``descriptions.person_genders``: "Christopher Simpson" is a man when no pronoun told), so the
pipeline never needs the package.
"""

from __future__ import annotations

from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "data" / "given_name_genders.tsv"
_VERDICTS = {"male": "male", "mostly_male": "male", "female": "female", "mostly_female": "female"}


def name_genders() -> dict[str, str]:
    """Lower-cased given name -> ``male`` / ``female`` for the names of one gender."""
    from gender_guesser.detector import Detector

    detector = Detector(case_sensitive=False)
    genders = {}
    for name in detector.names:
        gender = _VERDICTS.get(detector.get_gender(name))
        if gender and " " not in name:
            genders[name] = gender
    return genders


def main() -> None:
    genders = name_genders()
    header = (
        "# given name\tgender (gender-guesser 0.4.0 nam_dict.txt, GNU FDL; build_name_genders)\n"
    )
    OUTPUT.write_text(
        header + "".join(f"{name}\t{gender}\n" for name, gender in sorted(genders.items())),
        encoding="utf-8",
    )
    print(f"{len(genders)} given names -> {OUTPUT}")


if __name__ == "__main__":
    main()
