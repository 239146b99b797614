"""Reading discovered source files into `Article` records, or `Quarantined` ones with a reason.

A ``.txt`` file is one article: its size is checked before reading (never read beyond the
limit), its bytes decoded by `decode_text`, its ``NAME.meta.json`` sidecar validated. A
``.jsonl`` file streams line by line with a per-line byte limit, so files of any size are read
in bounded memory; each bad line is quarantined on its own and the good lines still load.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from etl.ids import content_sha256, stable_id
from etl.records import Article, Quarantined, SourceFile
from etl.stages.ingest.decode import (
    DecodeError,
    binary_format,
    byte_order_mark,
    check_text,
    decode_text,
    normalize_line_ends,
)
from etl.stages.ingest.files import open_regular_file, os_error_reason
from etl.stages.ingest.metadata import (
    MetadataError,
    describe,
    load_metadata,
    parse_json_object,
    sidecar_metadata_path,
    string_problem,
    validate_metadata,
)

# Enough of a file's head to recognise binary formats and UTF-16 without reading it all.
SNIFF_BYTES = 8192
# Overlong JSONL lines are skipped in pieces of this size, never held whole.
SKIP_CHUNK_BYTES = 1 << 20
# Share of NUL bytes in a JSONL file's head above which the whole file is binary, not JSON.
MAX_NUL_SHARE = 0.1


def read_articles(
    source: SourceFile, *, max_file_bytes: int = 20_000_000, max_article_chars: int = 2_000_000
) -> Iterator[Article | Quarantined]:
    """Yield the articles of one source file, or `Quarantined` records for what cannot be read.

    ``.txt``: exactly one record. ``.jsonl``: one record per non-blank line (``source_uri`` gets
    ``#LINE``, 1-based), or a single `Quarantined` for the whole file when it cannot be opened
    or is binary. ``max_file_bytes`` bounds a ``.txt`` file and each JSONL line;
    ``max_article_chars`` bounds the decoded text of any article.
    """
    if source.kind == "txt":
        yield read_txt_article(source, max_file_bytes, max_article_chars)
    elif source.kind == "jsonl":
        yield from read_jsonl_articles(source, max_file_bytes, max_article_chars)
    else:
        yield Quarantined(source.source_uri, f"unsupported input kind {source.kind!r}")


def read_txt_article(
    source: SourceFile, max_file_bytes: int, max_article_chars: int
) -> Article | Quarantined:
    """One article from a ``.txt`` file and its optional ``.meta.json`` sidecar.

    A malformed sidecar quarantines the article: it is not loaded without its metadata.
    """
    try:
        with open_regular_file(source.path) as handle:
            data = _read_at_most(handle, max_file_bytes)
    except _TooLarge as too_large:
        return Quarantined(source.source_uri, too_large_reason(too_large.size, max_file_bytes))
    except OSError as error:
        return Quarantined(source.source_uri, os_error_reason(error))
    try:
        text, encoding = decode_text(data)
    except DecodeError as error:
        return Quarantined(source.source_uri, str(error))
    if len(text) > max_article_chars:
        return Quarantined(source.source_uri, too_long_reason(len(text), max_article_chars))
    meta_path = sidecar_metadata_path(source.path)
    try:
        metadata = load_metadata(meta_path) if _lexists(meta_path) else {}
    except MetadataError as error:
        return Quarantined(source.source_uri, str(error))
    return make_article(text, encoding, source.source_uri, metadata)


def read_jsonl_articles(
    source: SourceFile, max_line_bytes: int, max_article_chars: int
) -> Iterator[Article | Quarantined]:
    """Stream a JSONL file: one `Article` or `Quarantined` per non-blank line."""
    try:
        handle = open_regular_file(source.path)
    except OSError as error:
        yield Quarantined(source.source_uri, os_error_reason(error))
        return
    with handle:
        try:
            refusal = _jsonl_file_refusal(handle.read(SNIFF_BYTES))
            handle.seek(0)
        except OSError as error:
            yield Quarantined(source.source_uri, os_error_reason(error))
            return
        if refusal is not None:
            yield Quarantined(source.source_uri, refusal)
            return
        line_number = 0
        try:
            for line_number, line in iter_bounded_lines(handle, max_line_bytes):
                line_uri = f"{source.source_uri}#{line_number}"
                if isinstance(line, int):
                    reason = f"line {line_number}: {too_large_reason(line, max_line_bytes)}"
                    yield Quarantined(line_uri, reason)
                elif line.strip():
                    yield parse_jsonl_line(line, line_number, line_uri, max_article_chars)
        except OSError as error:
            reason = f"read failed after line {line_number}: {os_error_reason(error)}"
            yield Quarantined(source.source_uri, reason)


def iter_bounded_lines(handle: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes | int]]:
    """Yield (1-based line number, line bytes without its line end) for each line.

    A line longer than ``max_line_bytes`` is skipped in chunks and yielded as its byte length
    (an int) instead, so no more than ``max_line_bytes`` are ever held. A UTF-8 byte-order mark
    at the start of the file is dropped.
    """
    line_number = 0
    while True:
        line = handle.readline(max_line_bytes + 1)
        if not line:
            return
        line_number += 1
        if line_number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            yield line_number, len(line) + _skip_rest_of_line(handle)
            continue
        yield line_number, line.rstrip(b"\r\n")


def parse_jsonl_line(
    line: bytes, line_number: int, source_uri: str, max_article_chars: int
) -> Article | Quarantined:
    """One article from one JSONL line; any problem quarantines this line only."""
    where = f"line {line_number}"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"{where}: invalid UTF-8 at byte {error.start} ({error.reason})"
        return Quarantined(source_uri, reason)
    try:
        raw = parse_json_object(text, where)
        article_text = _jsonl_article_text(raw, where)
        _check_jsonl_id(raw.get("id"), where)
        metadata = validate_metadata(raw, where)
    except (MetadataError, DecodeError) as error:
        return Quarantined(source_uri, str(error))
    if len(article_text) > max_article_chars:
        reason = f"{where}: {too_long_reason(len(article_text), max_article_chars)}"
        return Quarantined(source_uri, reason)
    return make_article(article_text, "utf-8", source_uri, metadata)


def make_article(text: str, encoding: str, source_uri: str, metadata: dict) -> Article:
    """An `Article` whose ids derive from its (line-end normalized) text alone."""
    digest = content_sha256(text)
    return Article(
        doc_id=stable_id(digest),
        source_uri=source_uri,
        raw_text=text,
        content_sha256=digest,
        encoding=encoding,
        **metadata,
    )


def too_large_reason(size: int, limit: int) -> str:
    return f"too large: {size:,} bytes exceeds the limit of {limit:,} bytes"


def too_long_reason(length: int, limit: int) -> str:
    return f"article too long: {length:,} characters exceeds the limit of {limit:,}"


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """The whole file, or `_TooLarge` without reading it when it exceeds ``limit`` bytes."""
    size = os.fstat(handle.fileno()).st_size
    if size > limit:
        raise _TooLarge(size)
    data = handle.read(limit + 1)
    if len(data) > limit:  # the file grew after fstat
        raise _TooLarge(len(data))
    return data


def _skip_rest_of_line(handle: BinaryIO) -> int:
    """Consume the rest of the current line; return its length without the line end."""
    skipped = 0
    while True:
        piece = handle.readline(SKIP_CHUNK_BYTES)
        if not piece or piece.endswith(b"\n"):
            return skipped + len(piece.rstrip(b"\r\n"))
        skipped += len(piece)


def _jsonl_file_refusal(head: bytes) -> str | None:
    """Why a whole JSONL file must be refused, judging by its first bytes, or None."""
    bom = byte_order_mark(head)
    if bom is not None and bom[1] != "utf-8-sig":
        return f"JSONL must be UTF-8, this file is {bom[1]} (byte-order mark)"
    known_format = binary_format(head)
    if known_format is not None:
        return known_format
    # A stray NUL spoils one line (its JSON is invalid); many mean UTF-16 or binary data.
    n_nul = head.count(b"\x00")
    if n_nul > MAX_NUL_SHARE * len(head):
        return f"binary file: {n_nul} NUL bytes in the first {len(head):,} bytes"
    return None


def _jsonl_article_text(raw: dict, where: str) -> str:
    if "text" not in raw:
        raise MetadataError(f"{where}: missing required key 'text'")
    value = raw["text"]
    if not isinstance(value, str):
        raise MetadataError(f"{where}: key 'text': expected a string, got {describe(value)}")
    problem = string_problem(value)
    if problem is not None:
        raise MetadataError(f"{where}: key 'text': {problem}")
    text = normalize_line_ends(value)
    try:
        check_text(text)
    except DecodeError as error:
        raise DecodeError(f"{where}: key 'text': {error}") from None
    return text


def _check_jsonl_id(value: object, where: str) -> None:
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        if isinstance(value, str) and string_problem(value):
            raise MetadataError(f"{where}: key 'id': {string_problem(value)}")
        return
    raise MetadataError(f"{where}: key 'id': expected a string or integer, got {describe(value)}")


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)
