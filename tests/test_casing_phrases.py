"""The casing phrase table's WordNet names (``build_phrases``): which lemmas read as names of
common words, their strength, and that only strong ones reach the restorer."""

from __future__ import annotations

from etl.stages.normalize import build_model, build_phrases
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.normalize.offsets import clean_text
from etl.stages.normalize.restore import restore_text

FUNCTION_WORDS = frozenset({"the", "of", "and", "for", "in"})


def _wordnet_folder(tmp_path):
    """A tiny WordNet 3.0 layout: one data file per part of speech, synset lines as WordNet
    writes them (offset, lexicographer file, type, word count in hex, words with lex ids)."""
    nouns = [
        "  1 This software and database is being provided to you",
        "08000001 14 n 01 Supreme_Court 0 000 | the highest court",
        "08000002 14 n 01 supreme_court 0 000 | a state's highest court",
        "08000003 15 n 02 Valley_Forge 0 Forge_Valley 0 000 | a place",
        "08000004 17 n 01 lake 0 000 | a body of water",
        "08000005 13 n 01 American_lobster 0 000 | a lobster",
    ]
    (tmp_path / "data.noun").write_text("\n".join(nouns) + "\n", encoding="utf-8")
    (tmp_path / "data.verb").write_text("02000001 30 v 01 white_house 0 000 | x\n", "utf-8")
    for suffix in ("adj", "adv"):
        (tmp_path / f"data.{suffix}").write_text("", encoding="utf-8")
    return tmp_path


def test_wordnet_lemmas_keep_case_and_collect_lower_case_lemmas(tmp_path):
    cased, lower = build_phrases.wordnet_lemmas(_wordnet_folder(tmp_path))
    assert {"Supreme_Court", "Valley_Forge", "Forge_Valley", "American_lobster"} <= cased
    assert "lake" not in cased and {"lake", "supreme_court", "white_house"} <= lower


def test_name_like_needs_capitals_at_both_ends_and_only_particles_inside():
    assert build_phrases.name_like(["Bay", "of", "Plenty"], FUNCTION_WORDS)
    assert build_phrases.name_like(["Rio", "de", "Janeiro"], FUNCTION_WORDS)
    assert build_phrases.name_like(["Winston-Salem", "State"], FUNCTION_WORDS)
    assert not build_phrases.name_like(["Hague"], FUNCTION_WORDS)  # one word
    assert not build_phrases.name_like(["The", "Hague"], FUNCTION_WORDS)  # opens with "the"
    assert not build_phrases.name_like(["American", "lobster"], FUNCTION_WORDS)
    assert not build_phrases.name_like(["Saint", "Peter's", "Wreath"], FUNCTION_WORDS)
    assert not build_phrases.name_like(["Royal", "blue", "Crown"], FUNCTION_WORDS)


def test_often_lower_case_needs_every_content_pair_common_in_lower_case():
    bigrams = {"New_Year": 13, "new_year": 10, "Red_Cross": 40, "red_cross": 2}
    bigrams |= {"Social_Security": 5, "social_security": 9, "Dead_Sea": 8}
    assert build_phrases.often_lower_case(["New", "Year"], bigrams, FUNCTION_WORDS)
    # capitalized at least three times as often: a name, as truecase's own phrases
    assert not build_phrases.often_lower_case(["Red", "Cross"], bigrams, FUNCTION_WORDS)
    # never seen in lower case: nothing says the sequence is an ordinary phrase
    assert not build_phrases.often_lower_case(["Dead", "Sea"], bigrams, FUNCTION_WORDS)
    # one pair without counts says the sequence is not common in lower case
    words = ["Social", "Security", "Office"]
    assert not build_phrases.often_lower_case(words, bigrams, FUNCTION_WORDS)
    # a function word inside: the whole sequence is no ordinary lower-case phrase
    words = ["Office", "of", "Social", "Security"]
    assert not build_phrases.often_lower_case(words, bigrams, FUNCTION_WORDS)


def test_name_phrases_keep_names_of_common_words_with_their_strength():
    cased = ["Supreme_Court", "Valley_Forge", "John_Tyler", "White House", "American_lobster"]
    cap_probability = {"supreme": 0.01, "court": 0.05, "valley": 0.02, "forge": 0.01}
    cap_probability |= {"john": 0.99, "tyler": 0.95, "white": 0.02, "house": 0.04}
    bigrams = {"White_House": 10, "white_house": 40}
    phrases = build_phrases.name_phrases(
        cased, {"supreme_court"}, cap_probability, bigrams, FUNCTION_WORDS
    )
    assert phrases == {
        "supreme court": ("Supreme Court", "weak"),  # WordNet has the common noun too
        "valley forge": ("Valley Forge", "strong"),
        "white house": ("White House", "weak"),  # mostly lower case in the bigram counts
    }  # "John Tyler": name words the model capitalizes anyway; "American lobster": no name


def test_only_strong_wordnet_names_join_the_other_sources():
    phrases = build_model.with_wordnet_names(
        {"hong kong": "Hong Kong", "air force": "Air Force"},
        {
            "air force": ("Air Force", "weak"),
            "new year": ("New Year", "weak"),
            "red cross": ("Red Cross", "strong"),
        },
    )
    assert phrases == {"hong kong": "Hong Kong", "air force": "Air Force", "red cross": "Red Cross"}


def test_packaged_table_holds_strong_wordnet_names_only():
    phrases = load_lexicon().phrases
    assert phrases["continental army"] == "Continental Army"
    assert phrases["royal academy"] == "Royal Academy"
    assert "new year" not in phrases and "social security" not in phrases


def test_restorer_capitalizes_wordnet_names_of_common_words():
    cleaned, _ = clean_text("he enlisted in the continental army and then the new year came .\n")
    restored, _ = restore_text(cleaned, load_lexicon(), None, model=None)
    assert restored == "He enlisted in the Continental Army and then the new year came.\n"
