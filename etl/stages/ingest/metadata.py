"""Article metadata: loading a ``NAME.meta.json`` sidecar and validating metadata fields.

The same validation serves the sidecar files and the fields of a JSONL line: ``published_at``
becomes a `datetime.date`, ``publisher``/``url``/``title`` stay strings, unknown keys are ignored
and every key is optional. A malformed or wrongly typed value raises `MetadataError` with a
message naming the file (or line) and the key, which becomes the article's quarantine reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from etl.stages.ingest.files import display_name, open_regular_file, os_error_reason

METADATA_SUFFIX = ".meta.json"
STRING_KEYS = ("publisher", "url", "title")
# A sidecar holds four short fields; anything bigger is not metadata.
MAX_METADATA_BYTES = 1_000_000
MAX_FIELD_CHARS = 10_000


class MetadataError(ValueError):
    """Metadata that cannot be used; the message names the file or line and the key."""


def sidecar_metadata_path(article_path: Path) -> Path:
    """``NAME.meta.json`` beside ``NAME.txt`` (the ``.txt`` suffix matched case-insensitively)."""
    name = article_path.name
    stem = name[: -len(".txt")] if name.lower().endswith(".txt") else article_path.stem
    return article_path.with_name(stem + METADATA_SUFFIX)


def load_metadata(meta_path: Path) -> dict:
    """Read and validate a ``.meta.json`` file; return the keys of `validate_metadata`.

    An article whose sidecar is malformed is quarantined rather than loaded without it: a
    missing date or publisher would silently skew every count by day and by publisher.
    """
    name = display_name(meta_path)
    data = _read_metadata_bytes(meta_path, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MetadataError(f"{name}: not valid UTF-8 (byte {error.start})") from None
    raw = parse_json_object(text, name)
    return validate_metadata(raw, name)


def parse_json_object(text: str, where: str) -> dict:
    """Parse JSON text that must be an object; errors name `where` and the position."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise MetadataError(
            f"{where}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise MetadataError(f"{where}: malformed JSON: nested too deeply") from None
    except ValueError as error:  # e.g. an integer literal with too many digits
        raise MetadataError(f"{where}: malformed JSON: {error}") from None
    if not isinstance(value, dict):
        raise MetadataError(f"{where}: expected a JSON object, got {json_type(value)}")
    return value


def validate_metadata(raw: Mapping[str, object], where: str) -> dict:
    """Typed metadata: keys ``published_at``, ``publisher``, ``url`` and ``title``.

    Missing keys, JSON null and empty strings give None. Raises `MetadataError`.
    """
    metadata: dict = {"published_at": parse_published_at(raw.get("published_at"), where)}
    for key in STRING_KEYS:
        metadata[key] = clean_string_field(raw.get(key), where, key)
    return metadata


def parse_published_at(value: object, where: str) -> date | None:
    """A date from ``YYYY-MM-DD`` or an ISO 8601 datetime (its date as written, not UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise MetadataError(
        f"{where}: key 'published_at': expected a date like 2017-09-20, got {describe(value)}"
    )


def clean_string_field(value: object, where: str, key: str) -> str | None:
    """A stripped string, or None for null/empty; refuses other types and unstorable text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MetadataError(f"{where}: key '{key}': expected a string, got {describe(value)}")
    problem = string_problem(value)
    if problem is not None:
        raise MetadataError(f"{where}: key '{key}': {problem}")
    if len(value) > MAX_FIELD_CHARS:
        raise MetadataError(
            f"{where}: key '{key}': {len(value):,} characters exceeds the limit of "
            f"{MAX_FIELD_CHARS:,}"
        )
    return value.strip() or None


def string_problem(value: str) -> str | None:
    """Why a string cannot be stored (NUL or unpaired surrogate from a JSON escape), or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"contains an unpaired surrogate (\\u{ord(value[error.start]):04x})"
    return None


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe(value: object, limit: int = 60) -> str:
    """A short, ASCII-safe rendering of a bad JSON value for an error message."""
    try:
        rendered = json.dumps(value, ensure_ascii=True)
    except (RecursionError, ValueError):  # nested deeper than the encoder allows
        return json_type(value)
    if len(rendered) > limit:
        rendered = rendered[: limit - 3] + "..."
    if json_type(value) == "number":
        return rendered
    return f"{json_type(value)} {rendered}"


def _read_metadata_bytes(meta_path: Path, name: str) -> bytes:
    try:
        with open_regular_file(meta_path) as handle:
            data = handle.read(MAX_METADATA_BYTES + 1)
    except OSError as error:
        raise MetadataError(f"{name}: {os_error_reason(error)}") from None
    if len(data) > MAX_METADATA_BYTES:
        raise MetadataError(f"{name}: larger than the limit of {MAX_METADATA_BYTES:,} bytes")
    return data
