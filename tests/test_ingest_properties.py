"""Property-based tests: no bytes or text make ingest crash, and every record it yields is storable.

Random bytes go in as a ``.txt`` file, a ``.meta.json`` sidecar and a ``.jsonl`` file; random
JSON goes in as JSONL lines and metadata. Whatever comes out must be an `Article` or a
`Quarantined` record whose strings encode as UTF-8 and hold no NUL, and valid UTF-8 text must
decode to itself (line ends normalized).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.ids import content_sha256, stable_id
from etl.records import Article, Quarantined, SourceFile
from etl.stages.ingest import DecodeError, MetadataError, decode_text, load_metadata, read_articles
from etl.stages.ingest.metadata import validate_metadata

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "text": st.text() | json_values,
        "published_at": st.dates().map(str) | st.text(max_size=30) | json_values,
        "publisher": st.text(max_size=30) | json_values,
        "url": st.text(max_size=30),
        "title": st.text(max_size=30) | json_values,
    },
)
# Bytes that mix text-like runs with arbitrary bytes, to reach the deeper decoding branches.
text_ish_bytes = st.lists(
    st.binary(max_size=40)
    | st.text(max_size=40).map(lambda t: t.encode("utf-8"))
    | st.text(alphabet=st.characters(max_codepoint=255), max_size=40).map(
        lambda t: t.encode("latin-1")
    ),
    max_size=6,
).map(b"".join)
any_bytes = st.binary(max_size=2000) | text_ish_bytes


def assert_storable(record: Article | Quarantined) -> None:
    """Every string a record carries can be written to Parquet/DuckDB."""
    assert isinstance(record, Article | Quarantined)
    assert record.source_uri.startswith("file:///")
    for value in vars(record).values():
        if isinstance(value, str):
            value.encode("utf-8")
            assert "\x00" not in value
    if isinstance(record, Article):
        assert record.raw_text.strip()
        assert "\r" not in record.raw_text
        assert record.content_sha256 == content_sha256(record.raw_text)
        assert record.doc_id == stable_id(record.content_sha256)
    else:
        assert record.reason


def source_for(path: Path, kind: str) -> SourceFile:
    return SourceFile(path=path, source_uri=path.resolve().as_uri(), kind=kind)


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props")


@PROPERTY_SETTINGS
@given(data=any_bytes)
def test_decode_text_returns_text_or_a_reason(data: bytes) -> None:
    try:
        text, encoding = decode_text(data)
    except DecodeError as error:
        assert str(error)
        return
    assert text.strip() and "\r" not in text and "\x00" not in text
    assert encoding in {
        "utf-8",
        "utf-8-sig",
        "utf-16-le",
        "utf-16-be",
        "utf-32-le",
        "utf-32-be",
    } | {
        "cp1252",
        "latin-1",
    }


@PROPERTY_SETTINGS
@given(text=st.text())
def test_valid_utf8_decodes_to_itself_or_is_refused_as_non_text(text: str) -> None:
    expected = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    try:
        decoded, encoding = decode_text(text.encode("utf-8"))
    except DecodeError as error:
        # Only empty, NUL, control-heavy or binary-signature text may be refused.
        assert re.search(r"empty|NUL|control|binary", str(error)), str(error)
        return
    assert decoded == expected
    assert encoding == ("utf-8-sig" if text.startswith("\ufeff") else "utf-8")


prose = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\ufeff"),
    min_size=1,
).filter(lambda t: t.strip())


@PROPERTY_SETTINGS
@given(text=prose, line_end=st.sampled_from(["\n", "\r\n", "\r"]))
def test_prose_in_utf8_always_round_trips(text: str, line_end: str) -> None:
    decoded, encoding = decode_text((text + line_end + text).encode("utf-8"))
    assert (decoded, encoding) == (text + "\n" + text, "utf-8")


@PROPERTY_SETTINGS
@given(data=any_bytes, meta=st.none() | any_bytes)
def test_random_txt_file_gives_exactly_one_storable_record(
    folder: Path, data: bytes, meta: bytes | None
) -> None:
    path = folder / "article.txt"
    path.write_bytes(data)
    meta_path = folder / "article.meta.json"
    meta_path.unlink(missing_ok=True)
    if meta is not None:
        meta_path.write_bytes(meta)
    (record,) = read_articles(source_for(path, "txt"))
    assert_storable(record)


@PROPERTY_SETTINGS
@given(data=any_bytes)
def test_random_jsonl_file_gives_storable_records_per_line(folder: Path, data: bytes) -> None:
    path = folder / "batch.jsonl"
    path.write_bytes(data)
    records = list(read_articles(source_for(path, "jsonl")))
    n_lines = data.count(b"\n") + 1
    assert len(records) <= n_lines
    for record in records:
        assert_storable(record)
        assert record.source_uri.startswith(path.resolve().as_uri())


@PROPERTY_SETTINGS
@given(lines=st.lists(article_like | json_values, min_size=1, max_size=8))
def test_random_json_lines_each_give_one_record(folder: Path, lines: list) -> None:
    path = folder / "batch.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    records = list(read_articles(source_for(path, "jsonl")))
    assert len(records) == len(lines)
    for number, record in enumerate(records, start=1):
        assert_storable(record)
        assert record.source_uri.endswith(f"#{number}")


@PROPERTY_SETTINGS
@given(data=any_bytes | article_like.map(lambda d: json.dumps(d).encode()))
def test_random_meta_json_loads_or_raises_metadata_error(folder: Path, data: bytes) -> None:
    path = folder / "x.meta.json"
    path.write_bytes(data)
    try:
        metadata = load_metadata(path)
    except MetadataError as error:
        assert str(error).startswith("x.meta.json: ")
        return
    assert set(metadata) == {"published_at", "publisher", "url", "title"}


@PROPERTY_SETTINGS
@given(raw=st.dictionaries(st.text(max_size=12), json_values, max_size=6) | article_like)
def test_validate_metadata_never_raises_anything_else(raw: dict) -> None:
    try:
        metadata = validate_metadata(raw, "line 1")
    except MetadataError as error:
        assert str(error).startswith("line 1: key '")
        return
    for key in ("publisher", "url", "title"):
        assert metadata[key] is None or isinstance(metadata[key], str)
