"""Incremental planning: which articles are new, replace an older version, or are unchanged.

A document is identified by its content (``doc_id``); a source file is identified by its
``source_uri``. Content already loaded (under any source) is unchanged and skipped; new content
at a known ``source_uri`` supersedes that source's previous document, whose rows are removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from etl.records import Article, Quarantined, SourceFile
from etl.settings import Settings
from etl.stages.ingest import read_articles
from etl.stages.normalize import needs_case_evidence


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


def batches(items: Sequence[Article], size: int) -> list[list[Article]]:
    """Consecutive batches of at most ``size`` articles."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def split_by_case_evidence(items: Sequence[Article]) -> tuple[list[Article], list[Article]]:
    """(articles normalized without case evidence, articles whose restoration uses it).

    Well-formed articles can be parsed while the evidence is still being gathered.
    """
    needing = [needs_case_evidence(article.raw_text) for article in items]
    return (
        [article for article, needs in zip(items, needing, strict=True) if not needs],
        [article for article, needs in zip(items, needing, strict=True) if needs],
    )
