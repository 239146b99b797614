"""The casing phrase table's WordNet names (``build_phrases``), their strength, and how the
restorer reads them (a weak phrase is a feature of the learned decision)."""

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


def test_lower_case_majority_needs_every_content_pair_mostly_lower_case():
    bigrams = {"White_House": 10, "white_house": 40, "Social_Security": 5, "social_security": 9}
    assert build_phrases.lower_case_majority(["White", "House"], bigrams, FUNCTION_WORDS)
    assert not build_phrases.lower_case_majority(["Red", "Cross"], bigrams, FUNCTION_WORDS)
    # one pair without counts says the sequence is not common in lower case
    words = ["Social", "Security", "Office"]
    assert not build_phrases.lower_case_majority(words, bigrams, FUNCTION_WORDS)
    # a function word inside: the whole sequence is no ordinary lower-case phrase
    words = ["Office", "of", "Social", "Security"]
    assert not build_phrases.lower_case_majority(words, bigrams, FUNCTION_WORDS)


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


def test_phrase_rows_merge_sources_and_keep_weakness():
    rows = build_model.phrase_rows(
        {"prime minister": "Prime Minister", "hong kong": "Hong Kong"},
        {"prime minister": ("Prime Minister", "weak"), "red cross": ("Red Cross", "strong")},
    )
    assert rows == [
        ("hong kong", "Hong Kong", "strong"),
        ("prime minister", "Prime Minister", "weak"),
        ("red cross", "Red Cross", "strong"),
    ]


def test_packaged_table_holds_wordnet_names_and_their_strength():
    lexicon = load_lexicon()
    assert lexicon.phrases["red cross"] == "Red Cross"
    assert "red cross" not in lexicon.weak_phrases
    assert "supreme court" in lexicon.weak_phrases and "supreme court" in lexicon.phrases
    assert lexicon.weak_phrases <= lexicon.phrases.keys()


def _features_of(text: str, word: str) -> dict[str, float]:
    cleaned, _ = clean_text(text)
    traces: list[list] = []
    restore_text(cleaned, load_lexicon(), None, model=None, traces=traces)
    return next(f for line in traces for _, token, f, _ in line if token == word)


def test_restorer_capitalizes_phrases_and_marks_weak_ones_for_the_learned_decision():
    cleaned, _ = clean_text("volunteers of the red cross came .\n")
    restored, _ = restore_text(cleaned, load_lexicon(), None, model=None)
    assert restored.startswith("Volunteers of the Red Cross came.")
    strong = _features_of("volunteers of the red cross came .\n", "cross")
    assert strong.get("phrase") == 1.0 and "phrase=weak" not in strong
    weak = _features_of("he appealed to the supreme court on monday .\n", "court")
    assert weak.get("phrase") == 1.0 and weak.get("phrase=weak") == 1.0
