"""Plain records passed between the pipeline's stages (before they become Arrow tables)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

# Maps a span of the normalized text to the same span of the raw text (``raw_*`` columns).
RawSpan = Callable[[int, int], tuple[int, int]]


def identity_span(start: int, end: int) -> tuple[int, int]:
    """The span map of a text that normalization left unchanged."""
    return start, end


@dataclass(frozen=True)
class SourceFile:
    """An input file found under the source folder."""

    path: Path
    source_uri: str
    kind: Literal["txt", "jsonl"]


@dataclass(frozen=True)
class Article:
    """One decoded article, ready for normalization.

    ``doc_id`` and ``content_sha256`` come from the decoded text, so the same article gets the
    same id on every run and every machine.
    """

    doc_id: str
    source_uri: str
    raw_text: str
    content_sha256: str
    encoding: str
    publisher: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: date | None = None


@dataclass(frozen=True)
class Quarantined:
    """An input the pipeline could not read, with a precise reason."""

    source_uri: str
    reason: str
