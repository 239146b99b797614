"""Ingest stage: discovery order and filtering, decoding, metadata, ids and memory bounds."""

from __future__ import annotations

import json
import os
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from etl.ids import content_sha256, stable_id
from etl.records import Article, Quarantined, SourceFile
from etl.stages.ingest import (
    DecodeError,
    MetadataError,
    decode_text,
    discover_sources,
    load_metadata,
    read_articles,
)
from etl.stages.ingest.decode import binary_signatures, sniff_binary
from etl.stages.ingest.metadata import describe, sidecar_metadata_path, validate_metadata

TEXT = "Kyrgyzstan protested. Kazakhstan’s president met a candidate.\n"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def read_all(source: SourceFile, **limits) -> list[Article | Quarantined]:
    return list(read_articles(source, **limits))


def only_article(source: SourceFile) -> Article:
    (record,) = read_all(source)
    assert isinstance(record, Article), record
    return record


# --- discovery -----------------------------------------------------------------------------


def test_discovery_is_sorted_by_relative_path_and_recursive(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.jsonl", "a/b/c.txt", "A.TXT", "a.txt"]:
        write(tmp_path / name, TEXT)
    sources, quarantined = discover_sources(tmp_path)
    relative = [source.path.relative_to(tmp_path).as_posix() for source in sources]
    assert relative == ["A.TXT", "a.txt", "a/b/c.txt", "a/z.jsonl", "b.txt"]
    assert [source.kind for source in sources] == ["txt", "txt", "txt", "jsonl", "txt"]
    assert quarantined == []


def test_discovery_skips_hidden_and_non_input_files(tmp_path: Path) -> None:
    write(tmp_path / "article.txt", TEXT)
    write(tmp_path / "article.meta.json", '{"publisher": "Reuters"}')
    write(tmp_path / "stray.meta.json", '{"publisher": "Reuters"}')
    write(tmp_path / "README.md", "# notes")
    write(tmp_path / "photo.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path / ".hidden.txt", TEXT)
    write(tmp_path / ".git" / "notes.txt", TEXT)
    write(tmp_path / "folder" / ".cache" / "x.jsonl", "{}")
    sources, quarantined = discover_sources(tmp_path)
    assert [source.path.name for source in sources] == ["article.txt"]
    assert quarantined == []


def test_source_uri_is_the_resolved_file_uri(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "dir" / "it's here; ok.txt", TEXT)
    monkeypatch.chdir(tmp_path)
    (source,) = discover_sources(Path("dir/../dir"))[0]
    assert source.source_uri == (tmp_path.resolve() / "dir" / "it's here; ok.txt").as_uri()
    assert "'" not in source.source_uri and ";" not in source.source_uri


def test_discovery_rejects_missing_or_non_folder_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="source folder not found"):
        discover_sources(tmp_path / "nope")
    file_path = write(tmp_path / "file.txt", TEXT)
    with pytest.raises(NotADirectoryError, match="source is not a folder"):
        discover_sources(file_path)


def test_unlistable_subfolder_is_quarantined_and_the_rest_found(
    tmp_path: Path, monkeypatch
) -> None:
    write(tmp_path / "ok.txt", TEXT)
    write(tmp_path / "locked" / "secret.txt", TEXT)
    real_scandir = os.scandir

    def guarded_scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded_scandir)
    sources, quarantined = discover_sources(tmp_path)
    assert [source.path.name for source in sources] == ["ok.txt"]
    assert [q.source_uri for q in quarantined] == [(tmp_path.resolve() / "locked").as_uri()]
    assert "cannot list folder: Permission denied" in quarantined[0].reason


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    sources, quarantined = discover_sources(tmp_path)
    assert sources == []
    assert [q.reason for q in quarantined] == ["refused: symlink loop"]


def test_symlinked_folder_inside_the_source_is_not_walked_twice(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", TEXT)
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    sources, quarantined = discover_sources(tmp_path)
    assert [source.path.relative_to(tmp_path).as_posix() for source in sources] == ["real/a.txt"]
    assert quarantined == []


def test_discovery_of_many_files_lists_each_once(tmp_path: Path) -> None:
    for index in range(2000):
        write(tmp_path / f"d{index % 7}" / f"{index:05d}.txt", "x")
    sources, _ = discover_sources(tmp_path)
    assert len(sources) == 2000
    assert len({source.source_uri for source in sources}) == 2000


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (TEXT.encode("utf-8"), TEXT, "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT, "utf-8-sig"),
        (TEXT.encode("utf-16"), TEXT, "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), TEXT, "utf-16-be"),
        (TEXT.encode("utf-32"), TEXT, "utf-32-le"),
        (TEXT.encode("cp1252"), TEXT, "cp1252"),
        ("Außenminister Müller sprach über Grenzöffnung.".encode("latin-1"), None, "latin-1"),
        # An acute accent typed as an apostrophe, three times in two sentences.
        (
            "ALMATY - President Nursultan Nazarbayev\u00b4s party won the election on Sunday, "
            "officials said. The president\u00b4s office welcomed it and Kazakhstan\u00b4s "
            "neighbours were told.".encode("latin-1"),
            None,
            "latin-1",
        ),
        (b"a\r\nb\rc\n", "a\nb\nc\n", "utf-8"),
        ("BMW and Ölkonzern shares".encode(), "BMW and Ölkonzern shares", "utf-8"),
    ],
)
def test_decode_text_detects_the_encoding(data: bytes, text: str | None, encoding: str) -> None:
    decoded, detected = decode_text(data)
    assert detected == encoding
    assert decoded == (text if text is not None else data.decode(encoding))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("Президент Казахстана встретился с кандидатом.".encode("cp1251"), "not plausible"),
        ("大統領は声明を発表した。東京で会議が開かれた。".encode("shift_jis"), "not plausible"),
        (b"\xef\xbb\xbfvalid start \xff", "invalid utf-8-sig at byte 15"),
        (b"\xff\xfe\x00\xd8", "invalid utf-16-le"),
    ],
)
def test_decode_text_refuses_what_it_cannot_decode_faithfully(data: bytes, words: str) -> None:
    with pytest.raises(DecodeError, match=words):
        decode_text(data)


def test_every_binary_signature_is_recognised() -> None:
    signatures = binary_signatures()
    assert len(signatures) >= 20
    for signature in signatures:
        sample = bytearray(b"\x20" * signature.offset)
        sample += bytes(0x41 if byte is None else byte for byte in signature.pattern)
        sample += b" padding text"
        assert sniff_binary(bytes(sample)) == f"binary file: looks like {signature.description}"


def test_plain_text_is_not_mistaken_for_binary() -> None:
    for text in ["PK is a name", "BZh is not bzip2", "ID3 tags", "MZ", "%PDF", "GIF8"]:
        assert sniff_binary(text.encode()) is None


# --- metadata ------------------------------------------------------------------------------


def test_load_metadata_validates_and_types_fields(tmp_path: Path) -> None:
    meta = write(
        tmp_path / "a.meta.json",
        b'\xef\xbb\xbf{"published_at": "2017-09-20T10:00:00Z", "publisher": "Reuters",'
        b' "url": "https://example.org/a?b=1;c=\'d\'", "title": "", "id": 5}',
    )
    assert load_metadata(meta) == {
        "published_at": date(2017, 9, 20),
        "publisher": "Reuters",
        "url": "https://example.org/a?b=1;c='d'",
        "title": None,
    }


def test_empty_metadata_object_gives_all_none(tmp_path: Path) -> None:
    meta = write(tmp_path / "a.meta.json", "{}")
    assert load_metadata(meta) == dict.fromkeys(["published_at", "publisher", "url", "title"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"published_at": 42}, "x: key 'published_at': expected a date like 2017-09-20, got 42"),
        ({"published_at": True}, "x: key 'published_at': expected a date like 2017-09-20, "),
        ({"published_at": "20 Sept"}, "x: key 'published_at': expected a date like 2017-09-20, "),
        ({"publisher": 5}, "x: key 'publisher': expected a string, got 5"),
        ({"title": {"a": 1}}, "x: key 'title': expected a string, got object"),
        ({"url": "a\x00b"}, "x: key 'url': contains a NUL character"),
        ({"title": "t" * 10_001}, "x: key 'title': 10,001 characters exceeds the limit of 10,000"),
    ],
)
def test_validate_metadata_names_the_key(raw: dict, message: str) -> None:
    with pytest.raises(MetadataError) as error:
        validate_metadata(raw, "x")
    assert str(error.value).startswith(message)


def test_describe_survives_values_too_deep_to_encode() -> None:
    value: list = []
    for _ in range(5000):
        value = [value]
    assert describe(value) == "array"
    assert describe("x" * 100) == 'string "' + "x" * 56 + "..."


def test_oversized_metadata_file_is_refused(tmp_path: Path) -> None:
    meta = write(tmp_path / "a.meta.json", '{"title": "' + "t" * 1_000_001 + '"}')
    with pytest.raises(MetadataError, match=r"a\.meta\.json: larger than the limit"):
        load_metadata(meta)


def test_sidecar_path_matches_the_article_name(tmp_path: Path) -> None:
    assert sidecar_metadata_path(tmp_path / "x.y.TXT") == tmp_path / "x.y.meta.json"


# --- reading -------------------------------------------------------------------------------


def test_txt_article_carries_its_sidecar_metadata(seeds_dir: Path) -> None:
    sources, quarantined = discover_sources(seeds_dir)
    articles = [only_article(source) for source in sources]
    assert quarantined == []
    assert {article.publisher for article in articles} == {"RFE/RL", "Reuters"}
    assert {article.published_at for article in articles} == {date(2017, 9, 20)}


def test_doc_id_depends_only_on_the_normalized_text(tmp_path: Path) -> None:
    write(tmp_path / "utf8.txt", TEXT)
    write(tmp_path / "cp1252.txt", TEXT.encode("cp1252"))
    write(tmp_path / "crlf.txt", TEXT.replace("\n", "\r\n"))
    write(tmp_path / "lines.jsonl", json.dumps({"text": TEXT}) + "\n")
    sources, _ = discover_sources(tmp_path)
    articles = [record for source in sources for record in read_articles(source)]
    assert len(articles) == 4
    assert {article.doc_id for article in articles} == {stable_id(content_sha256(TEXT))}
    assert {article.content_sha256 for article in articles} == {content_sha256(TEXT)}


def test_jsonl_lines_get_line_uris_and_metadata(tmp_path: Path) -> None:
    lines = [
        {"id": "r1", "text": "first", "publisher": "Reuters", "published_at": "2017-09-21"},
        {"id": 2, "text": "second", "url": "https://x.org", "title": "T", "extra": None},
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(json.dumps(line) for line in lines))
    (source,) = discover_sources(tmp_path)[0]
    first, second = read_all(source)
    assert first.source_uri == f"{path.resolve().as_uri()}#1"
    assert (first.publisher, first.published_at) == ("Reuters", date(2017, 9, 21))
    assert second.source_uri == f"{path.resolve().as_uri()}#2"
    assert (second.url, second.title, second.published_at) == ("https://x.org", "T", None)


def test_read_articles_streams_jsonl_lazily(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", '{"text": "one"}\n{"text": "two"}\n')
    (source,) = discover_sources(tmp_path)[0]
    stream = read_articles(source)
    assert next(stream).raw_text == "one"
    assert next(stream).raw_text == "two"
    assert next(stream, None) is None


def test_huge_txt_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: cheap to create, size is what matters
    (source,) = discover_sources(tmp_path)[0]
    tracemalloc.start()
    try:
        (record,) = read_all(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(record, Quarantined)
    assert record.reason == "too large: 52,428,800 bytes exceeds the limit of 20,000,000 bytes"
    assert peak < 1_000_000


def test_huge_jsonl_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"text": "before"}\n{"text": "')
        chunk = b"z" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
        handle.write(b'"}\n{"text": "after"}\n')
    (source,) = discover_sources(tmp_path)[0]
    tracemalloc.start()
    try:
        records = read_all(source, max_file_bytes=2_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [getattr(record, "raw_text", None) for record in records] == ["before", None, "after"]
    assert records[1].reason == (
        "line 2: too large: 52,428,812 bytes exceeds the limit of 2,000,000 bytes"
    )
    assert peak < 8_000_000


def test_read_error_mid_jsonl_keeps_earlier_lines(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "a.jsonl", '{"text": "one"}\n{"text": "two"}\n')
    (source,) = discover_sources(tmp_path)[0]
    from etl.stages.ingest import readers

    real_iter = readers.iter_bounded_lines

    def failing_iter(handle, limit):
        for item in real_iter(handle, limit):
            yield item
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(readers, "iter_bounded_lines", failing_iter)
    first, failure = read_all(source)
    assert first.raw_text == "one"
    assert failure.reason == "read failed after line 1: cannot read file: Input/output error"


def test_file_deleted_between_discovery_and_reading_is_quarantined(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", TEXT)
    (source,) = discover_sources(tmp_path)[0]
    path.unlink()
    (record,) = read_all(source)
    assert isinstance(record, Quarantined)
    assert record.reason.startswith("file not found")


def test_source_folder_given_as_a_symlink_is_followed(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", TEXT)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (source,) = discover_sources(tmp_path / "link")[0]
    assert source.source_uri == (tmp_path.resolve() / "real" / "a.txt").as_uri()
    assert only_article(source).raw_text == TEXT
