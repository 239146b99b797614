"""Incremental planning: which articles are new, replace an older version, or are unchanged.

A document is identified by its content (``doc_id``); a source file is identified by its
``source_uri``. Content already loaded (under any source) is unchanged and skipped; new content
at a known ``source_uri`` supersedes that source's previous document, whose rows are removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from etl.records import Article, Quarantined, SourceFile
from etl.settings import Settings
from etl.stages.ingest import read_articles
from etl.storage.warehouse import load

# Imported where used: they import spaCy (seconds), which an unchanged re-run
# (``etl.run.unchanged``) plans without.
if TYPE_CHECKING:
    from etl.stages.normalize import CaseEvidence


@dataclass
class LoadPlan:
    to_process: list[Article] = field(default_factory=list)
    superseded_doc_ids: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.to_process or self.superseded_doc_ids)


def read_sources(sources: Iterable[SourceFile], settings: Settings) -> list[Article | Quarantined]:
    """Every article of the source files, or the reason it cannot be read, within the limits
    ``settings`` sets: what a run reads and what backfill planning compares."""
    return [
        item
        for source in sources
        for item in read_articles(
            source,
            max_file_bytes=settings.max_file_bytes,
            max_article_chars=settings.max_article_chars,
        )
    ]


def plan_load(articles: Iterable[Article], loaded: pa.Table) -> LoadPlan:
    """Split articles against what is loaded (columns doc_id, source_uri, content_sha256)."""
    loaded_ids = set(loaded.column("doc_id").to_pylist())
    doc_by_source = dict(
        zip(
            loaded.column("source_uri").to_pylist(),
            loaded.column("doc_id").to_pylist(),
            strict=True,
        )
    )
    plan = LoadPlan()
    seen: set[str] = set()
    superseded: set[str] = set()
    for article in articles:
        if article.doc_id in loaded_ids or article.doc_id in seen:
            plan.unchanged += 1
            continue
        seen.add(article.doc_id)
        previous = doc_by_source.get(article.source_uri)
        if previous is not None:
            superseded.add(previous)
        plan.to_process.append(article)
    plan.superseded_doc_ids = sorted(superseded)
    return plan


def warehouse_lock(settings: Settings) -> AbstractContextManager[None]:
    """The run's exclusive hold on the warehouse (waits up to ``settings.lock_timeout_s``)."""
    return load.write_lock(settings.db_path, settings.lock_timeout_s)


def plan_against_warehouse(articles: Iterable[Article], settings: Settings) -> LoadPlan:
    """``plan_load`` against the documents the live warehouse of ``settings`` holds."""
    return plan_load(articles, load.loaded_documents(settings.db_path))


def case_evidence_for(articles: Iterable[Article], settings: Settings) -> CaseEvidence:
    """Case evidence from the well-formed articles of the run and the warehouse's known names."""
    from etl.stages.normalize import build_case_evidence, is_degraded

    cased_texts = (a.raw_text for a in articles if not is_degraded(a.raw_text))
    return build_case_evidence(cased_texts, load.known_names(settings.db_path))


# DuckDB cannot spill the strings of one row: loading and exporting a ``documents`` row (its raw
# and its normalized text) needs memory for several copies of it at once. A row of two 50 MB
# texts failed to load at 256MB (5x the article) and loaded at 300MB (6x); the commit of a 50 MB
# article (bench/bench_big_article.py, part (d)) passed at 6x. One more for margin. What DuckDB
# may cache beyond that shows in the peak: 1,913 MiB at 10x, 1,719 MiB at 6x.
MEMORY_PER_DOCUMENT_BYTE = 7
_MEMORY_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_MEMORY_UNITS |= {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def memory_bytes(limit: str) -> int:
    """Bytes of a DuckDB memory limit such as ``128MB`` or ``1.5 GiB``."""
    number = limit.rstrip("BKMGTi ")
    return int(float(number) * _MEMORY_UNITS[limit[len(number) :].strip()])


def settings_for_commit(settings: Settings, articles: Iterable[Article]) -> Settings:
    """``settings`` with the warehouse's memory limit raised, if need be, to hold the largest
    document's row while the run loads and publishes it."""
    largest = max((len(a.raw_text.encode("utf-8")) for a in articles), default=0)
    needed = MEMORY_PER_DOCUMENT_BYTE * largest
    if needed <= memory_bytes(settings.warehouse_memory_limit):
        return settings
    return settings.updated(warehouse_memory_limit=f"{-(-needed // 2**20)}MiB")


def batches(items: Sequence[Article], size: int) -> list[list[Article]]:
    """Consecutive batches of at most ``size`` articles."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def split_by_case_evidence(
    items: Sequence[Article], part_chars: int | None = None
) -> tuple[list[Article], list[Article]]:
    """(articles normalized without case evidence, articles whose restoration uses it).

    Well-formed articles can be parsed while the evidence is still being gathered. A long
    article is judged part by part, as it is normalized (``document_part_chars``): never its
    whole offset map at once. ``part_chars`` defaults to ``DocumentLimits.part_chars``.
    """
    from etl.stages.document import DocumentLimits, document_part_bounds
    from etl.stages.normalize import needs_case_evidence

    if part_chars is None:
        part_chars = DocumentLimits.part_chars
    needing = [
        any(needs_case_evidence(article.raw_text[start:end]) for start, end in bounds)
        for article in items
        for bounds in [document_part_bounds(article.raw_text, part_chars)]
    ]
    return (
        [article for article, needs in zip(items, needing, strict=True) if not needs],
        [article for article, needs in zip(items, needing, strict=True) if needs],
    )
