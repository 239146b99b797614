"""Offset-tracked text: the ``NormalizedText`` result and the Unicode/whitespace clean-up.

The clean-up applied to every text (well-formed or degraded) is documented here and is the only
change made to well-formed text: Unicode NFC, CRLF and CR turned into LF, and whitespace at the
end of each line removed. Everything else (curly quotes, inner spacing) is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

# A line ending (CRLF or CR) or whitespace run just before a line end / the end of the text.
_LINE_END_RE = re.compile(r"[^\S\r\n]+(?=\r|\n|$)|\r\n?")
# ASCII characters never combine with what precedes them, so NFC can be applied piecewise.
_NFC_SEGMENT_RE = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text plus, for every character, the raw index it came from.

    ``offsets`` has ``len(text) + 1`` non-decreasing entries; ``offsets[len(text)] == len(raw)``.
    Inserted characters (a restored apostrophe) point at the raw character they replace or follow.
    """

    text: str
    case_restored: bool
    offsets: Sequence[int]
    raw: str = field(default="", repr=False, compare=False)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering the same words as normalized ``[start, end)``."""
        size = len(self.text)
        start = min(max(start, 0), size)
        end = min(max(end, start), size)
        raw_start = self.offsets[start]
        if end == start:
            return raw_start, raw_start
        last = self.offsets[end - 1]
        raw_end = max(self.offsets[end], last + 1)
        # Removed spacing (" ," -> ",") would otherwise be swallowed into the span.
        while raw_end > last + 1 and self.raw[raw_end - 1 : raw_end].isspace():
            raw_end -= 1
        return raw_start, max(raw_end, raw_start)


def identity_offsets(text: str) -> list[int]:
    return list(range(len(text) + 1))


def compose(outer: Sequence[int], inner: Sequence[int]) -> list[int]:
    """Offsets of a two-step rewrite: ``inner`` maps into the middle text, ``outer`` into raw."""
    return [outer[index] for index in inner]


def _nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    if unicodedata.is_normalized("NFC", text):
        return text, identity_offsets(text)
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _NFC_SEGMENT_RE.finditer(text):
        pieces.append(text[position : match.start()])
        offsets.extend(range(position, match.start()))
        segment = match.group()
        normalized = unicodedata.normalize("NFC", segment)
        pieces.append(normalized)
        if normalized == segment:
            offsets.extend(range(match.start(), match.end()))
        else:
            offsets.extend([match.start()] * len(normalized))
        position = match.end()
    pieces.append(text[position:])
    offsets.extend(range(position, len(text) + 1))
    return "".join(pieces), offsets


def _line_ends_with_offsets(text: str) -> tuple[str, list[int]]:
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _LINE_END_RE.finditer(text):
        pieces.append(text[position : match.start()])
        offsets.extend(range(position, match.start()))
        if match.group()[0] == "\r":
            pieces.append("\n")
            offsets.append(match.start())
        position = match.end()
    pieces.append(text[position:])
    offsets.extend(range(position, len(text) + 1))
    return "".join(pieces), offsets


def clean_text(raw: str) -> tuple[str, list[int]]:
    """Apply the documented Unicode/whitespace normalization, returning text and offsets."""
    if unicodedata.is_normalized("NFC", raw):
        return _line_ends_with_offsets(raw)  # most texts: no NFC step, no offsets to compose
    nfc_text, nfc_offsets = _nfc_with_offsets(raw)
    cleaned, line_offsets = _line_ends_with_offsets(nfc_text)
    if nfc_text is raw or nfc_text == raw:
        return cleaned, line_offsets
    return cleaned, compose(nfc_offsets, line_offsets)
