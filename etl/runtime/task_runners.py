"""Build what executes a run's batches, from settings: the Prefect task runner and the parser.

``default`` runs batch tasks in the flow's process. With ``parse_in_subprocess`` (the default)
spaCy runs in ``n_process`` child processes (``etl.stages.nlp.SubprocessParser``) and two task
threads keep them fed: while one batch's texts are being parsed, the other thread
normalizes, extracts and stages, so the Python work overlaps spaCy instead of adding to it.
Without it, one thread parses in-process (spaCy holds the GIL, so more threads would only add
memory). ``ParsingCountdown`` ends the child processes as soon as every batch of the run has
parsed its last text, so the last rows' extraction and staging, and the commit, run without
the models' memory.

``dask`` sends each batch to a Dask worker, which parses in its own process: an existing
cluster at ``dask_address``, or a local cluster of ``dask_workers`` single-threaded processes
(each worker loads the spaCy model once).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from etl.settings import Settings
from etl.stages.document import DocumentLimits
from etl.stages.nlp import InProcessParser, Parser, SubprocessParser


def dask_cluster_kwargs(n_workers: int) -> dict[str, object]:
    """``LocalCluster`` arguments: one single-threaded worker process per core we were given."""
    return {
        "n_workers": n_workers,
        "threads_per_worker": 1,
        "processes": True,
        # The dashboard needs bokeh and a port; batch runs have no use for it.
        "dashboard_address": None,
    }


def build_task_runner(settings: Settings) -> TaskRunner:
    """The task runner named by ``settings.task_runner``."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs=dask_cluster_kwargs(settings.dask_workers))
    return ThreadPoolTaskRunner(max_workers=2 if parses_in_subprocess(settings) else 1)


def parses_in_subprocess(settings: Settings) -> bool:
    return settings.task_runner == "default" and settings.parse_in_subprocess


def open_parser(settings: Settings) -> contextlib.AbstractContextManager[Parser]:
    """The parser batch tasks use, as a context manager that ends its child processes."""
    options = {"batch_size": settings.nlp_batch_size, "part_chars": settings.nlp_part_chars}
    if parses_in_subprocess(settings):
        return SubprocessParser(
            settings.spacy_model,
            **options,
            n_process=settings.n_process,
            chunk_size=settings.parse_chunk_size,
            timeout_s=settings.document_timeout_s,
        )
    # In-thread and on Dask workers spaCy runs in the task's own process: the workers are the
    # processes.
    return contextlib.nullcontext(InProcessParser(settings.spacy_model, **options))


def document_limits(settings: Settings) -> DocumentLimits:
    """How batch tasks treat long and slow documents (parts, time budget)."""
    return DocumentLimits(
        part_chars=settings.document_part_chars, timeout_s=settings.document_timeout_s
    )


class ParsingCountdown:
    """Ends a ``SubprocessParser``'s children once each of the run's batches has said that its
    parsing is over (``parsed(batch)``; a batch may say it twice, when a retry of its task ends).

    A batch that parses again after that (a retried task) starts the children again, so this
    costs memory only, never a result.
    """

    def __init__(self, parser: SubprocessParser, batches: Iterable[str]) -> None:
        self._parser = parser
        self._waiting = set(batches)
        self._lock = threading.Lock()
        if not self._waiting:
            parser.end_children()

    def parsed(self, batch: str) -> None:
        with self._lock:
            self._waiting.discard(batch)
            over = not self._waiting
        if over:
            self._parser.end_children()


def parsing_countdown(parser: Parser, batches: Iterable[str]) -> ParsingCountdown | None:
    """A ``ParsingCountdown`` where the parser has children to end (none in-process or on Dask
    workers, where the countdown could not follow the tasks)."""
    if isinstance(parser, SubprocessParser):
        return ParsingCountdown(parser, batches)
    return None
