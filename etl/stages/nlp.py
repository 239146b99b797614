"""spaCy stage: load the English pipeline once per process and parse texts into Docs.

Two parsers share one interface (``parse(texts) -> Docs in input order``):

* ``InProcessParser`` runs ``nlp.pipe`` in the calling process (Dask workers, evaluations).
* ``SubprocessParser`` runs ``nlp.pipe`` in one child process and streams the Docs back in
  chunks (as ``DocBin`` bytes). The caller's own Python work (normalizing the next texts,
  extracting and staging the parsed ones) then runs on another core while spaCy keeps parsing,
  so the pipeline costs little more than spaCy itself.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import lru_cache
from itertools import islice
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from etl.settings import Settings
from etl.stages.anatomy import PARAGRAPH_COMPONENT

# The model's name is written once, as the settings default (NEWSETL_SPACY_MODEL overrides it).
DEFAULT_MODEL: str = Settings.model_fields["spacy_model"].default


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load (and cache per process) the pipeline from an installed package; never downloads.

    Paragraph breaks and datelines end sentences before the parser runs (``etl.stages.anatomy``).
    """
    nlp = spacy.load(model)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    return nlp


def parse_texts(
    nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[Doc]:
    """Parse texts with ``nlp.pipe`` in batches, yielding one Doc per text in input order."""
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)


class Parser(Protocol):
    def parse(self, texts: Iterable[str]) -> Iterator[Doc]:
        """One parsed Doc per text, in input order (``texts`` may be consumed lazily)."""
        ...


class InProcessParser:
    """``nlp.pipe`` in this process."""

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 64, n_process: int = 1):
        self.model = model
        self.batch_size = batch_size
        self.n_process = n_process

    def parse(self, texts: Iterable[str]) -> Iterator[Doc]:
        nlp = load_pipeline(self.model)
        yield from parse_texts(nlp, texts, batch_size=self.batch_size, n_process=self.n_process)


def _warm_up(model: str) -> None:
    load_pipeline(model)


def parse_to_bytes(model: str, texts: list[str], batch_size: int) -> bytes:
    """Parse ``texts`` in this (child) process and serialize the Docs as one ``DocBin``."""
    nlp = load_pipeline(model)
    docs = nlp.pipe(texts, batch_size=batch_size)
    return DocBin(store_user_data=False, docs=docs).to_bytes()


@lru_cache(maxsize=4)
def _vocab_for(model: str) -> Vocab:
    # Rebuilding Docs needs only a vocabulary of the model's language (lexeme attributes such as
    # is_stop and like_num come from its rules); DocBin carries every string it uses.
    return spacy.blank(spacy.info(model)["lang"]).vocab


class SubprocessParser:
    """``nlp.pipe`` in ``n_process`` child processes; a context manager, so the children end.

    ``parse`` submits each chunk of ``chunk_size`` texts (``nlp.pipe`` batches of ``batch_size``
    in the child) as soon as the caller has produced it and yields Docs as chunks come back, so
    parsing of later chunks (and of later calls, from other threads) queues up behind and the
    child never waits for the caller's work.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        batch_size: int = 64,
        n_process: int = 1,
        chunk_size: int | None = None,
    ):
        self.model = model
        self.batch_size = batch_size
        # Texts per request to a child: a few nlp.pipe batches, so the per-request cost (pickling,
        # the DocBin, the round trip) is paid less often than once per batch.
        self.chunk_size = chunk_size or batch_size
        # spawn, not fork: the parent runs threads (Prefect), which a forked child must not
        # inherit mid-lock.
        self._pool = ProcessPoolExecutor(
            max_workers=n_process,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
            initargs=(model,),
        )
        self._vocab = _vocab_for(model)
        # Start the children now, so loading the model overlaps the caller's preparations.
        for _ in range(n_process):
            self._pool.submit(_warm_up, model)

    def _submit(self, texts: list[str]) -> Future[bytes]:
        return self._pool.submit(parse_to_bytes, self.model, texts, self.batch_size)

    def parse(self, texts: Iterable[str]) -> Iterator[Doc]:
        # Each chunk is submitted as soon as it is complete, so the child starts early.
        remaining = iter(texts)
        futures = []
        while chunk := list(islice(remaining, self.chunk_size)):
            futures.append(self._submit(chunk))
        try:
            for future in futures:
                yield from DocBin().from_bytes(future.result()).get_docs(self._vocab)
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> SubprocessParser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
