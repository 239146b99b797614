"""A table of bad inputs: each is quarantined with a precise reason, or loaded correctly.

Every case builds a small source folder, runs discovery and reading over it, and checks the
exact list of articles (text, encoding, source) and of quarantined records (source and words
the reason must contain). The module prints how many distinct cases passed at its end.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from case_tally import tally_cases

from etl.records import Article, Quarantined
from etl.stages.ingest import discover_sources, read_articles

SOURCE = "src"
OUTSIDE = "outside"
FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True)
class Loaded:
    """An expected article: its source (relative path, ``#line`` for JSONL) and decoded text."""

    source: str
    text: str
    encoding: str = "utf-8"
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """An expected quarantine record: its source and words its reason must contain."""

    source: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, bytes] = field(default_factory=dict)
    build: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    limits: dict = field(default_factory=dict)
    loaded: tuple[Loaded, ...] = ()
    refused: tuple[Refused, ...] = ()


def jsonl(*lines: object) -> bytes:
    """JSONL bytes: dicts are dumped as JSON, bytes and str lines are used as they are."""
    out = []
    for line in lines:
        if isinstance(line, bytes):
            out.append(line)
        elif isinstance(line, str):
            out.append(line.encode("utf-8"))
        else:
            out.append(json.dumps(line, ensure_ascii=False).encode("utf-8"))
    return b"\n".join(out) + b"\n"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", "hello")
    return buffer.getvalue()


def write_huge_text(root: Path, _: pytest.MonkeyPatch) -> None:
    block = b"All work and no play makes a huge article.\n" * 24_000
    with (root / "huge.txt").open("wb") as handle:
        while handle.tell() < FIFTY_MB:
            handle.write(block[: FIFTY_MB - handle.tell()])


def deny_open_of(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    """Simulate an unreadable file even as root: os.open of that name raises PermissionError."""

    def build(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (root / name).write_text("secret article", encoding="utf-8")
        real_open = os.open

        def guarded_open(path, flags, *args, **kwargs):
            if Path(path).name == name:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", guarded_open)

    return build


def chmod_unreadable(root: Path, _: pytest.MonkeyPatch) -> None:
    path = root / "locked.txt"
    path.write_text("secret article", encoding="utf-8")
    path.chmod(0)
    try:
        path.read_bytes()
    except PermissionError:
        return
    pytest.skip("this user reads 0o000 files (root); permission-denied-simulated covers it")


def link_outside(root: Path, _: pytest.MonkeyPatch) -> None:
    outside = root.parent / OUTSIDE
    (outside / "passwd.txt").write_text("root:x:0:0", encoding="utf-8")
    (root / "innocent.txt").symlink_to(outside / "passwd.txt")
    (root / "folder-link").symlink_to(outside, target_is_directory=True)


def link_inside(root: Path, _: pytest.MonkeyPatch) -> None:
    (root / "real.txt").write_text("the real article", encoding="utf-8")
    (root / "alias.txt").symlink_to(root / "real.txt")


def broken_link(root: Path, _: pytest.MonkeyPatch) -> None:
    (root / "gone.txt").symlink_to(root / "missing.txt")


def sidecar_link_outside(root: Path, _: pytest.MonkeyPatch) -> None:
    outside = root.parent / OUTSIDE
    (outside / "secret.json").write_text('{"title": "secret"}', encoding="utf-8")
    (root / "a.txt").write_text("an article", encoding="utf-8")
    (root / "a.meta.json").symlink_to(outside / "secret.json")


def make_fifo(root: Path, _: pytest.MonkeyPatch) -> None:
    os.mkfifo(root / "pipe.txt")


def undecodable_name(root: Path, _: pytest.MonkeyPatch) -> None:
    folder = os.fsencode(root)
    with open(folder + b"/bad\xffname.txt", "wb") as handle:
        handle.write(b"an article")
    with open(folder + b"/bad\xffname.meta.json", "wb") as handle:
        handle.write(b"{not json")
    with open(folder + b"/ok\xfe.txt", "wb") as handle:
        handle.write(b"another article")


def folder_named_txt(root: Path, _: pytest.MonkeyPatch) -> None:
    (root / "box.txt").mkdir()
    (root / "box.txt" / "inner.txt").write_text("inside a folder", encoding="utf-8")


PLAIN = "Bishkek protested after the meeting.\n"
CP1252 = "Bishkek said “meddling” – it’s a protest costing €5.\n"
LATIN1 = "Le président a déclaré à Genève que la réunion était très importante.\n"
ONE_MB_LINE = "word " * 209_715
ODD_NAMES = (
    "with space.txt",
    'quote\'s "double".txt',
    "semi;colon'); DROP TABLE documents;--.txt",
    "Zürich 東京 café.txt",
)

CASES = [
    Case(
        "invalid-utf8-in-utf8-file",
        files={"a.txt": "Café au lait — ".encode() + b"\xff" + b" more"},
        refused=(Refused("a.txt", ("invalid UTF-8", "byte 18", "mostly UTF-8")),),
    ),
    Case(
        "truncated-utf8",
        files={"a.txt": "Nazarbaev said Kyrgyz’".encode()[:-1]},
        refused=(Refused("a.txt", ("invalid UTF-8", "ends in the middle of a character")),),
    ),
    Case(
        "cp1252-smart-quotes",
        files={"a.txt": CP1252.encode("cp1252")},
        loaded=(Loaded("a.txt", CP1252, "cp1252"),),
    ),
    Case(
        "latin1-accents",
        files={"a.txt": LATIN1.encode("latin-1")},
        loaded=(Loaded("a.txt", LATIN1, "latin-1"),),
    ),
    Case(
        "utf8-bom",
        files={"a.txt": b"\xef\xbb\xbf" + PLAIN.encode()},
        loaded=(Loaded("a.txt", PLAIN, "utf-8-sig"),),
    ),
    Case(
        "utf16-with-bom",
        files={"a.txt": b"\xff\xfe" + CP1252.encode("utf-16-le")},
        loaded=(Loaded("a.txt", CP1252, "utf-16-le"),),
    ),
    Case(
        "utf16-without-bom",
        files={"a.txt": PLAIN.encode("utf-16-le")},
        refused=(Refused("a.txt", ("binary file", "NUL bytes", "byte 1", "byte-order mark")),),
    ),
    Case(
        "crlf-line-ends",
        files={"a.txt": b"line one\r\nline two\r\n"},
        loaded=(Loaded("a.txt", "line one\nline two\n"),),
    ),
    Case(
        "lone-cr-line-ends",
        files={"a.txt": b"line one\rline two\r\rline four"},
        loaded=(Loaded("a.txt", "line one\nline two\n\nline four"),),
    ),
    Case(
        "nul-bytes",
        files={"a.txt": b"some text\x00more text"},
        refused=(Refused("a.txt", ("binary file", "NUL bytes", "byte 9")),),
    ),
    Case(
        "png-image",
        files={"photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)},
        refused=(Refused("photo.txt", ("binary file", "PNG image")),),
    ),
    Case(
        "jpeg-image",
        files={"photo.txt": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)},
        refused=(Refused("photo.txt", ("JPEG image",)),),
    ),
    Case(
        "gzip-archive",
        files={"a.txt": gzip.compress(PLAIN.encode() * 20)},
        refused=(Refused("a.txt", ("binary file", "gzip archive")),),
    ),
    Case(
        "zip-archive",
        files={"a.txt": zip_bytes()},
        refused=(Refused("a.txt", ("zip archive",)),),
    ),
    Case(
        "pdf-document",
        files={"a.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"},
        refused=(Refused("a.txt", ("PDF document",)),),
    ),
    Case(
        "elf-executable",
        files={"a.txt": b"\x7fELF\x02\x01\x01" + bytes(57)},
        refused=(Refused("a.txt", ("ELF executable",)),),
    ),
    Case(
        "control-character-garbage",
        files={"a.txt": bytes(range(1, 32)) * 10},
        refused=(Refused("a.txt", ("binary content", "control characters")),),
    ),
    Case(
        "random-high-bytes",
        files={"a.txt": bytes(range(0x80, 0x100)) * 4},
        refused=(Refused("a.txt", ("invalid UTF-8", "not plausible")),),
    ),
    Case(
        "empty-file",
        files={"a.txt": b""},
        refused=(Refused("a.txt", ("empty file", "0 bytes")),),
    ),
    Case(
        "whitespace-only",
        files={"a.txt": b"  \n\t \r\n \xc2\xa0 "},
        refused=(Refused("a.txt", ("empty", "only whitespace")),),
    ),
    Case(
        "only-a-bom",
        files={"a.txt": b"\xef\xbb\xbf"},
        refused=(Refused("a.txt", ("empty",)),),
    ),
    Case(
        "huge-50mb-text-file",
        build=write_huge_text,
        refused=(Refused("huge.txt", ("too large", "52,428,800 bytes", "20,000,000 bytes")),),
    ),
    Case(
        "1mb-single-line",
        files={"a.txt": ONE_MB_LINE.encode()},
        loaded=(Loaded("a.txt", ONE_MB_LINE),),
    ),
    Case(
        "article-over-char-limit",
        files={"a.txt": b"x" * 101, "b.txt": b"y" * 100},
        limits={"max_article_chars": 100},
        refused=(Refused("a.txt", ("article too long", "101 characters", "limit of 100")),),
        loaded=(Loaded("b.txt", "y" * 100),),
    ),
    Case(
        "jsonl-malformed-line",
        files={"a.jsonl": jsonl({"text": "first"}, '{"text": "second",', {"text": "third"})},
        loaded=(Loaded("a.jsonl#1", "first"), Loaded("a.jsonl#3", "third")),
        refused=(Refused("a.jsonl#2", ("line 2", "malformed JSON", "column")),),
    ),
    Case(
        "jsonl-missing-text",
        files={"a.jsonl": jsonl({"title": "no body"}, {"text": "ok"})},
        loaded=(Loaded("a.jsonl#2", "ok"),),
        refused=(Refused("a.jsonl#1", ("line 1", "missing required key 'text'")),),
    ),
    Case(
        "jsonl-text-wrong-type",
        files={"a.jsonl": jsonl({"text": 42}, {"text": ["a", "b"]})},
        refused=(
            Refused("a.jsonl#1", ("line 1", "key 'text'", "expected a string, got 42")),
            Refused("a.jsonl#2", ("line 2", "key 'text'", "got array")),
        ),
    ),
    Case(
        "jsonl-line-not-an-object",
        files={"a.jsonl": jsonl("[1, 2]", '"just a string"', "null")},
        refused=(
            Refused("a.jsonl#1", ("expected a JSON object, got array",)),
            Refused("a.jsonl#2", ("expected a JSON object, got string",)),
            Refused("a.jsonl#3", ("expected a JSON object, got null",)),
        ),
    ),
    Case(
        "jsonl-published-at-wrong-type",
        files={"a.jsonl": jsonl({"text": "t", "published_at": 42}, {"text": "u", "url": 7})},
        refused=(
            Refused("a.jsonl#1", ("line 1: key 'published_at': expected a date", "got 42")),
            Refused("a.jsonl#2", ("line 2: key 'url': expected a string, got 7",)),
        ),
    ),
    Case(
        "jsonl-id-wrong-type",
        files={"a.jsonl": jsonl({"id": {"x": 1}, "text": "t"}, {"id": 7, "text": "u"})},
        loaded=(Loaded("a.jsonl#2", "u"),),
        refused=(Refused("a.jsonl#1", ("line 1: key 'id'", "string or integer", "object")),),
    ),
    Case(
        "jsonl-lone-surrogate-escape",
        files={"a.jsonl": jsonl('{"text": "bad \\ud800 text"}', '{"text": "nul \\u0000"}')},
        refused=(
            Refused("a.jsonl#1", ("line 1", "unpaired surrogate", "\\ud800")),
            Refused("a.jsonl#2", ("line 2", "NUL character")),
        ),
    ),
    Case(
        "jsonl-invalid-utf8-line",
        files={"a.jsonl": jsonl({"text": "good"}, b'{"text": "caf\xe9"}')},
        loaded=(Loaded("a.jsonl#1", "good"),),
        refused=(Refused("a.jsonl#2", ("line 2", "invalid UTF-8", "byte 13")),),
    ),
    Case(
        "jsonl-empty-text",
        files={"a.jsonl": jsonl({"text": "  \n "}, {"text": "ok"})},
        loaded=(Loaded("a.jsonl#2", "ok"),),
        refused=(Refused("a.jsonl#1", ("line 1", "key 'text'", "only whitespace")),),
    ),
    Case(
        "jsonl-overlong-line",
        files={"a.jsonl": jsonl({"text": "a"}, {"text": "b" * 5000}, {"text": "c"})},
        limits={"max_file_bytes": 1000},
        loaded=(Loaded("a.jsonl#1", "a"), Loaded("a.jsonl#3", "c")),
        refused=(Refused("a.jsonl#2", ("line 2", "too large", "5,012 bytes", "1,000")),),
    ),
    Case(
        "jsonl-deeply-nested",
        files={"a.jsonl": jsonl("[" * 200_000, {"text": "ok"})},
        loaded=(Loaded("a.jsonl#2", "ok"),),
        refused=(Refused("a.jsonl#1", ("line 1", "malformed JSON")),),
    ),
    Case(
        "jsonl-raw-nul-in-one-line",
        files={"a.jsonl": jsonl({"text": "one"}, b'{"text": "t\x00wo"}', {"text": "three"})},
        loaded=(Loaded("a.jsonl#1", "one"), Loaded("a.jsonl#3", "three")),
        refused=(Refused("a.jsonl#2", ("line 2", "malformed JSON", "control character")),),
    ),
    Case(
        "jsonl-utf16-without-bom",
        files={"a.jsonl": jsonl({"text": "x"}).decode().encode("utf-16-le")},
        refused=(Refused("a.jsonl", ("binary file", "NUL bytes in the first 28 bytes")),),
    ),
    Case(
        "jsonl-text-is-a-nested-array",
        files={"a.jsonl": jsonl('{"text": ' + "[" * 500 + "]" * 500 + "}", {"text": "ok"})},
        loaded=(Loaded("a.jsonl#2", "ok"),),
        refused=(Refused("a.jsonl#1", ("line 1: key 'text': expected a string, got array",)),),
    ),
    Case(
        "jsonl-gzip-file",
        files={"a.jsonl": gzip.compress(jsonl({"text": "x"}) * 1000)},
        refused=(Refused("a.jsonl", ("binary file", "gzip archive")),),
    ),
    Case(
        "jsonl-utf16",
        files={"a.jsonl": jsonl({"text": "x"}).decode().encode("utf-16")},
        refused=(Refused("a.jsonl", ("JSONL must be UTF-8", "utf-16")),),
    ),
    Case(
        "jsonl-crlf-bom-and-blank-lines",
        files={"a.jsonl": b'\xef\xbb\xbf{"text": "one\\r\\ntwo"}\r\n\r\n  \r\n{"text": "three"}'},
        loaded=(Loaded("a.jsonl#1", "one\ntwo"), Loaded("a.jsonl#4", "three")),
    ),
    Case(
        "meta-malformed-json",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b'{"publisher": Reuters}'},
        refused=(Refused("a.txt", ("a.meta.json: malformed JSON at line 1 column 15",)),),
    ),
    Case(
        "meta-date-wrong-type",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b'{"published_at": 42}'},
        refused=(
            Refused(
                "a.txt",
                ("a.meta.json: key 'published_at': expected a date like 2017-09-20, got 42",),
            ),
        ),
    ),
    Case(
        "meta-impossible-date",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b'{"published_at": "2017-13-45"}'},
        refused=(Refused("a.txt", ("key 'published_at'", 'got string "2017-13-45"')),),
    ),
    Case(
        "meta-publisher-wrong-type",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b'{"publisher": ["Reuters"]}'},
        refused=(Refused("a.txt", ("a.meta.json: key 'publisher': expected a string", "array")),),
    ),
    Case(
        "meta-not-an-object",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b"[1, 2]"},
        refused=(Refused("a.txt", ("a.meta.json: expected a JSON object, got array",)),),
    ),
    Case(
        "meta-not-utf8",
        files={"a.txt": PLAIN.encode(), "a.meta.json": b'{"publisher": "caf\xe9"}'},
        refused=(Refused("a.txt", ("a.meta.json: not valid UTF-8",)),),
    ),
    Case(
        "meta-iso-datetime-and-unknown-keys",
        files={
            "a.txt": PLAIN.encode(),
            "a.meta.json": b'{"published_at": "2017-09-20T23:30:00-05:00", "publisher": '
            b'" Reuters ", "title": null, "extra": [1]}',
        },
        loaded=(
            Loaded(
                "a.txt", PLAIN, metadata={"published_at": date(2017, 9, 20), "publisher": "Reuters"}
            ),
        ),
    ),
    Case(
        "permission-denied-simulated",
        build=deny_open_of("locked.txt"),
        files={"open.txt": PLAIN.encode()},
        loaded=(Loaded("open.txt", PLAIN),),
        refused=(Refused("locked.txt", ("permission denied",)),),
    ),
    Case(
        "permission-denied-chmod",
        build=chmod_unreadable,
        refused=(Refused("locked.txt", ("permission denied",)),),
    ),
    Case(
        "symlink-outside-source",
        build=link_outside,
        refused=(
            Refused("folder-link", ("refused", "symlink points outside the source folder")),
            Refused("innocent.txt", ("refused", "symlink points outside the source folder")),
        ),
    ),
    Case(
        "symlink-inside-read-once",
        build=link_inside,
        loaded=(Loaded("real.txt", "the real article"),),
    ),
    Case("broken-symlink", build=broken_link, refused=(Refused("gone.txt", ("broken symlink",)),)),
    Case(
        "sidecar-symlink-outside",
        build=sidecar_link_outside,
        refused=(Refused("a.txt", ("refused", "a.meta.json", "outside the source folder")),),
    ),
    Case("fifo-named-txt", build=make_fifo, refused=(Refused("pipe.txt", ("FIFO",)),)),
    Case(
        "odd-file-names",
        files={name: name.encode() for name in ODD_NAMES},
        loaded=tuple(Loaded(name, name) for name in sorted(ODD_NAMES)),
    ),
    Case(
        "undecodable-file-name",
        build=undecodable_name,
        loaded=(Loaded("ok\udcfe.txt", "another article"),),
        refused=(Refused("bad\udcffname.txt", ("bad\\xffname.meta.json: malformed JSON",)),),
    ),
    Case(
        "folder-named-like-an-article",
        build=folder_named_txt,
        loaded=(Loaded("box.txt/inner.txt", "inside a folder"),),
    ),
]


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest):
    """Collects the ids of passing cases; prints the count when the module ends."""
    yield from tally_cases(
        request, lambda n: f"bad-input cases: {n} passed (of {len(CASES)} distinct inputs)"
    )


def ingest(root: Path, **limits) -> tuple[list[Article], list[Quarantined]]:
    """Discovery plus reading over a whole folder, the way the flow will run it."""
    sources, quarantined = discover_sources(root)
    articles = []
    for source in sources:
        for record in read_articles(source, **limits):
            (articles if isinstance(record, Article) else quarantined).append(record)
    return articles, quarantined


def expected_uri(root: Path, source: str) -> str:
    relative, _, line = source.partition("#")
    uri = (root / relative).as_uri()
    return f"{uri}#{line}" if line else uri


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally) -> None:
    root = tmp_path / SOURCE
    root.mkdir()
    (tmp_path / OUTSIDE).mkdir()
    for name, content in case.files.items():
        (root / name).write_bytes(content)
    if case.build is not None:
        case.build(root, monkeypatch)

    articles, quarantined = ingest(root, **case.limits)

    root = root.resolve()
    assert [q.source_uri for q in quarantined] == [
        expected_uri(root, r.source) for r in case.refused
    ]
    for record, expected in zip(quarantined, case.refused, strict=True):
        for word in expected.words:
            assert word in record.reason, f"{word!r} not in reason {record.reason!r}"
    assert [(a.source_uri, a.raw_text, a.encoding) for a in articles] == [
        (expected_uri(root, e.source), e.text, e.encoding) for e in case.loaded
    ]
    for article, expected in zip(articles, case.loaded, strict=True):
        for key, value in expected.metadata.items():
            assert getattr(article, key) == value
    for record in [*articles, *quarantined]:
        # Everything must be storable: no lone surrogates, no NUL, a file URI.
        assert record.source_uri.startswith("file:///")
        record.source_uri.encode("utf-8")
        text = record.raw_text if isinstance(record, Article) else record.reason
        text.encode("utf-8")
        assert "\x00" not in text
    tally.append(case.id)


def test_bad_input_table_is_large_and_distinct() -> None:
    ids = [case.id for case in CASES]
    assert len(set(ids)) == len(ids)
    assert len(CASES) >= 20, f"only {len(CASES)} bad-input cases"
