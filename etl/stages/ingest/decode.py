"""Bytes to article text: encoding detection, refusal of binary data, line-end normalization.

Attempts, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); refusal of known binary formats
and of NUL bytes; strict UTF-8; then a single-byte Western encoding (cp1252, or latin-1 when the
bytes are not valid cp1252), accepted only if charset-normalizer's mess detector finds the result
plausible. Bytes that are mostly valid UTF-8 but contain invalid sequences are refused rather
than guessed, because decoding them as cp1252 would turn every correct accented letter into
mojibake. Every refusal is a `DecodeError` whose message is the quarantine reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from charset_normalizer.md import mess_ratio

# charset-normalizer's own default threshold for "this decoding is chaos".
MAX_MESS_RATIO = 0.2
# The mess detector is pure Python; judging a prefix keeps a 20 MB file from taking minutes.
MESS_SAMPLE_CHARS = 65_536
# Share of control characters above which decoded "text" is treated as binary data.
MAX_CONTROL_SHARE = 0.05

# UTF-32 marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Control characters other than tab, line feed, form feed (carriage returns are gone by then).
_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_LINE_END = re.compile(r"\r\n?")
# After a lenient UTF-8 decode, undecodable bytes are U+DC80..U+DCFF; other non-ASCII is real.
_REAL_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# A spacing acute or grave accent between two letters ("Nazarbayev\u00b4s", "don`t") is a
# typewriter-era apostrophe, not mojibake; the mess detector counts it as a stray symbol.
_ACCENT_AS_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[\u00b4`](?=[^\W\d_])")


class DecodeError(ValueError):
    """The bytes are not usable article text; the message is the quarantine reason."""


@dataclass(frozen=True)
class BinarySignature:
    """A binary format's magic number: bytes expected at an offset (None matches any byte)."""

    offset: int
    pattern: tuple[int | None, ...]
    description: str

    def matches(self, data: bytes) -> bool:
        window = data[self.offset : self.offset + len(self.pattern)]
        if len(window) < len(self.pattern):
            return False
        pairs = zip(window, self.pattern, strict=True)
        return all(want is None or got == want for got, want in pairs)


@lru_cache(maxsize=1)
def binary_signatures() -> tuple[BinarySignature, ...]:
    """The signatures listed in ``data/binary_signatures.tsv``."""
    table = (
        resources.files("etl.stages.ingest")
        .joinpath("data/binary_signatures.tsv")
        .read_text("utf-8")
    )
    signatures = []
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        offset, hex_pattern, description = line.split("\t")
        pairs = [hex_pattern[i : i + 2] for i in range(0, len(hex_pattern), 2)]
        pattern = tuple(None if pair == "??" else int(pair, 16) for pair in pairs)
        signatures.append(BinarySignature(int(offset), pattern, description))
    return tuple(signatures)


def binary_format(data: bytes) -> str | None:
    """A refusal reason if the bytes start like a known binary format, else None."""
    for signature in binary_signatures():
        if signature.matches(data):
            return f"binary file: looks like {signature.description}"
    return None


def sniff_binary(data: bytes) -> str | None:
    """A refusal reason if the bytes look like a binary file (magic number or NUL), else None."""
    known_format = binary_format(data)
    if known_format is not None:
        return known_format
    nul_at = data.find(b"\x00")
    if nul_at != -1:
        return (
            f"binary file: contains NUL bytes (first at byte {nul_at}); "
            "UTF-16/UTF-32 text needs a byte-order mark"
        )
    return None


def byte_order_mark(data: bytes) -> tuple[bytes, str] | None:
    """The (mark, codec) of a leading Unicode byte-order mark, if any."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return mark, codec
    return None


def normalize_line_ends(text: str) -> str:
    """CRLF and lone CR become LF, so offsets and hashes do not depend on the writer's platform."""
    return _LINE_END.sub("\n", text)


def check_text(text: str) -> None:
    """Refuse decoded text that is empty, contains NUL characters or is mostly control codes."""
    if not text.strip():
        raise DecodeError("empty: no text" if not text else "empty: only whitespace")
    if "\x00" in text:
        raise DecodeError(f"binary content: NUL character at position {text.index(chr(0))}")
    n_controls = len(_CONTROL_CHARS.findall(text))
    if n_controls > MAX_CONTROL_SHARE * len(text):
        raise DecodeError(
            f"binary content: {n_controls} of {len(text)} characters are control characters"
        )


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode one article's bytes; return (text with LF line ends, encoding name).

    The encoding name is one of ``utf-8``, ``utf-8-sig`` (BOM stripped), ``utf-16-le``,
    ``utf-16-be``, ``utf-32-le``, ``utf-32-be``, ``cp1252``, ``latin-1``. Raises `DecodeError`
    with the reason when the bytes are empty, binary, or in no plausible encoding.
    """
    if not data:
        raise DecodeError("empty file (0 bytes)")
    text, encoding = _decode_bytes(data)
    text = normalize_line_ends(text)
    check_text(text)
    return text, encoding


def _decode_bytes(data: bytes) -> tuple[str, str]:
    bom = byte_order_mark(data)
    if bom is not None:
        mark, codec = bom
        try:
            return data[len(mark) :].decode(codec), codec
        except UnicodeDecodeError as error:
            raise DecodeError(
                f"invalid {codec} at byte {error.start + len(mark)} "
                f"after a {codec} byte-order mark: {error.reason}"
            ) from None
    binary_reason = sniff_binary(data)
    if binary_reason is not None:
        raise DecodeError(binary_reason)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    if _ends_mid_character(data, utf8_error):
        raise DecodeError(
            f"invalid UTF-8: the file ends in the middle of a character at byte "
            f"{utf8_error.start} (truncated?)"
        )
    if _mostly_utf8(data):
        raise DecodeError(
            f"invalid UTF-8 at byte {utf8_error.start} ({utf8_error.reason}) in a file that "
            "is mostly UTF-8: corrupted or mixed encodings"
        )
    return _decode_single_byte(data, utf8_error)


def _ends_mid_character(data: bytes, error: UnicodeDecodeError) -> bool:
    """True if the bytes end with an incomplete multi-byte UTF-8 sequence of two or more bytes.

    One trailing lead byte is ambiguous (``caf\\xe9`` is "café" in latin-1), so it is left to the
    single-byte attempt.
    """
    return error.reason == "unexpected end of data" and len(data) - error.start >= 2


def _mostly_utf8(data: bytes) -> bool:
    """True if valid multi-byte UTF-8 characters outnumber the undecodable bytes.

    Such a file was meant as UTF-8 and is damaged; a file whose non-ASCII bytes are mostly
    undecodable was written in another encoding, and a few of its byte pairs merely happen to
    form valid UTF-8.
    """
    lenient = data.decode("utf-8", errors="surrogateescape")
    n_real = _REAL_NON_ASCII.subn("", lenient)[1]
    n_undecodable = _UNDECODABLE.subn("", lenient)[1]
    return n_real >= n_undecodable


def _decode_single_byte(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    # Bytes 0x80-0x9F are printable punctuation in cp1252 but C1 controls in latin-1; without
    # them the two agree, and latin-1 is the more conservative name.
    encoding = "cp1252" if _C1_BYTES.search(data) else "latin-1"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin-1"
        text = data.decode(encoding)
    sample = _ACCENT_AS_APOSTROPHE.sub("'", text[:MESS_SAMPLE_CHARS])
    mess = mess_ratio(sample, maximum_threshold=MAX_MESS_RATIO)
    if mess >= MAX_MESS_RATIO:
        raise DecodeError(
            f"invalid UTF-8 at byte {utf8_error.start} and not plausible {encoding} text "
            f"either (mess ratio {mess:.2f}): unknown encoding or binary data"
        )
    return text, encoding
