"""The WordNet expansion of the PLOVER seeds, on a tiny WordNet in the database file format."""

from pathlib import Path

from etl.stages.extract.build_lexicon import Seed, WordNet, expand, read_definitions, word_classes

INDEX_VERB = """\
  1 header lines start with two spaces
accuse v 2 0 2 0 00000005 00000001
impeach v 1 0 1 0 00000001
incriminate v 1 0 1 0 00000002
blame v 1 0 1 0 00000004
tell v 1 0 1 0 00000005
say v 1 0 1 0 00000006
hope v 1 0 1 0 00000007
"""
DATA_VERB = """\
  1 header
00000001 32 v 02 accuse 0 impeach 0 003 @ 00000004 v 0000 ~ 00000002 v 0000 + 00000010 n 0101 | x
00000002 32 v 01 incriminate 0 001 @ 00000001 v 0000 | charge with a crime
00000004 32 v 01 blame 0 001 ~ 00000001 v 0000 | put the blame on
00000005 32 v 02 accuse 0 tell 0 001 ~ 00000006 v 0000 | an unrelated sense
00000006 32 v 01 say 0 001 @ 00000005 v 0000 | say
00000007 37 v 01 hope 0 000 | be hopeful
"""
INDEX_NOUN = """\
accusation n 1 0 1 0 00000010
joy n 1 0 1 0 00000011
"""
DATA_NOUN = """\
00000010 10 n 01 accusation 0 001 + 00000001 v 0101 | a formal charge
00000011 12 n 01 joy 0 000 | the emotion of great happiness
"""


def _wordnet(tmp_path: Path) -> WordNet:
    for name, text in {
        "index.verb": INDEX_VERB,
        "data.verb": DATA_VERB,
        "index.noun": INDEX_NOUN,
        "data.noun": DATA_NOUN,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return WordNet(tmp_path)


def test_seed_sense_is_the_one_its_category_corroborates(tmp_path):
    seeds = [
        Seed("ACCUSE", "VERB", "accuse", "disapprove", ""),
        Seed("ACCUSE", "VERB", "blame", "disapprove", ""),
    ]
    rows = {(r["lemma"], r["pos"]): r for r in expand(_wordnet(tmp_path), seeds, frozenset())}
    assert rows[("impeach", "VERB")]["source"] == "synonym"
    assert rows[("incriminate", "VERB")]["source"] == "hyponym"
    assert rows[("accusation", "NOUN")]["source"] == "nominalization"
    assert rows[("accusation", "NOUN")]["event_type"] == "ACCUSE"
    # "accuse, tell" is accuse's more frequent sense here, but no other ACCUSE seed is near it
    assert ("tell", "VERB") not in rows and ("say", "VERB") not in rows


def test_closed_class_words_are_never_derived(tmp_path):
    seeds = [
        Seed("ACCUSE", "VERB", "accuse", "disapprove", ""),
        Seed("ACCUSE", "VERB", "blame", "disapprove", ""),
    ]
    rows = expand(_wordnet(tmp_path), seeds, frozenset({"impeach"}))
    assert "impeach" not in {r["lemma"] for r in rows}


def test_word_classes_take_the_most_frequent_sense(tmp_path):
    classes = {(lemma, pos): c for lemma, pos, c in word_classes(_wordnet(tmp_path))}
    assert classes[("joy", "NOUN")] == "noun.feeling"
    assert classes[("hope", "VERB")] == "verb.emotion"
    assert ("accuse", "VERB") not in classes


GLOSS_INDEX_VERB = """\
storm v 2 0 2 0 00000021 00000022
assault v 1 0 1 0 00000023
rage v 1 0 1 0 00000021
rush v 1 0 1 0 00000022
"""
GLOSS_DATA_VERB = """\
00000021 30 v 02 storm 0 rage 0 000 | blow hard; "it stormed all night"
00000022 33 v 02 storm 0 rush 0 000 | take by force in a sudden attack
00000023 33 v 01 assault 0 000 | attack in a violent manner
"""


def test_uncorroborated_seed_takes_the_sense_its_category_definition_names(tmp_path):
    for name, text in {
        "index.verb": GLOSS_INDEX_VERB,
        "data.verb": GLOSS_DATA_VERB,
        "index.noun": "",
        "data.noun": "",
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    wordnet = WordNet(tmp_path)
    seeds = [Seed("ASSAULT", "VERB", "storm", "-", ""), Seed("ASSAULT", "VERB", "kill", "-", "")]
    # no other seed is in either sense's neighbourhood: without the definition, no expansion
    assert {r["lemma"] for r in expand(wordnet, seeds, frozenset())} == {"storm", "kill"}
    definitions = {"ASSAULT": "Attack, kill, wound, shoot, bomb."}
    rows = {r["lemma"]: r for r in expand(wordnet, seeds, frozenset(), definitions)}
    # the weather sense comes first, but only the assault sense's gloss says "attack"
    assert rows["rush"]["source"] == "synonym" and "rage" not in rows


def test_category_definitions_are_read_with_their_continuation_lines(tmp_path):
    path = tmp_path / "categories.tsv"
    path.write_text(
        "# Header words\n#\n# AGREE      Agree to, offer,\n#            or promise.\n"
        "# CONSULT    Meetings.\n#\n# columns: x\nevent_type\tpos\n",
        encoding="utf-8",
    )
    assert read_definitions(path) == {
        "AGREE": "Agree to, offer, or promise.",
        "CONSULT": "Meetings.",
    }
