"""Pathological article files for the pipeline-level fuzz test (``test_pipeline_fuzz.py``).

Each case is one input file and what the pipeline must do with it: load it (the text is odd but
is text) or quarantine it with a reason containing the given words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

NEWS = (
    "President Nursultan Nazarbaev met Kyrgyz Prime Minister Omurbek Babanov in Almaty on "
    "Tuesday, the presidential press service said. Kazakhstan accused Kyrgyzstan of violating "
    "the border agreement signed in 2017. "
)


@dataclass(frozen=True)
class Doc:
    """One input file: its name, its bytes, and ``None`` (must load) or words of the reason."""

    name: str
    data: bytes
    refused: tuple[str, ...] | None = None


def text(name: str, body: str) -> Doc:
    return Doc(name, body.encode("utf-8"))


def refused(name: str, data: bytes, *words: str) -> Doc:
    return Doc(name, data, words)


def pathological_docs() -> list[Doc]:
    """At least 30 inputs: huge, degenerate, multilingual, malformed, next to good ones. Every
    text differs (the same text under two names is loaded once, under one of them)."""
    rtl = "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd " + "\u0645\u0631\u062d\u0628\u0627 "
    return [
        # Size and shape
        text("single-line-1_5mb.txt", (NEWS * (1_500_000 // len(NEWS) + 1)).replace("\n", " ")),
        text("one-letter-tokens.txt", "a " * 200_000),
        text("one-huge-token.txt", "x" * 100_000),
        text("no-punctuation-run-on.txt", " ".join(["the minister said"] * 5_000)),
        text("one-word.txt", "Kazakhstan"),
        text("blank-lines-around-a-word.txt", "\n" * 50_000 + "Almaty" + "\n" * 50_000),
        text("tabs-and-form-feeds.txt", ("Nazarbaev\tmet\fBabanov.\t\t" * 500)),
        # Punctuation and quoting
        text("only-punctuation.txt", "!?.,;:-()[]{}\"'" * 2_000),
        text("deeply-nested-quotes.txt", '"' * 3_000 + "he said" + '"' * 3_000),
        text("nested-curly-quotes.txt", "\u201c\u2018" * 1_500 + NEWS + "\u2019\u201d" * 1_500),
        text("nested-brackets.txt", "(" * 3_000 + "Almaty" + ")" * 3_000),
        text("apostrophe-flood.txt", "'" * 3_000 + " Nazarbaev's " + "\u2019" * 3_000),
        text("ellipses-and-dashes.txt", "... -- \u2014 \u2026 " * 1_000),
        # Scripts and Unicode
        text("mixed-scripts.txt", (NEWS + "Москва заявила. 北京表示。 नई दिल्ली ने कहा। ") * 50),
        text("right-to-left.txt", (rtl + "\u202e" + NEWS + "\u202c\u200f") * 50),
        text(
            "emoji.txt",
            (
                "\U0001f1f0\U0001f1ff \U0001f468\u200d\U0001f469\u200d\U0001f467 "
                "\U0001f44d\U0001f3fd " + NEWS
            )
            * 100,
        ),
        text("combining-marks.txt", ("N" + "\u0301\u0308\u0327" * 50 + "azarbaev ") * 500),
        text("zero-width-everywhere.txt", "\u200b".join(NEWS * 5)),
        text(
            "fullwidth-latin.txt", "\uff2e\uff41\uff5a\uff41\uff52\uff42\uff41\uff45\uff56 " * 2_000
        ),
        text("private-use-and-symbols.txt", ("\ue000\uf8ff \u2211\u222b\u221e " + NEWS) * 100),
        text("unicode-line-separators.txt", NEWS.replace(". ", ".\u2028") + "\u2029\x85" + NEWS),
        text("few-control-characters.txt", NEWS.replace(" ", " \x07", 3) + "\x1b[31m" + NEWS),
        # Content that looks like something else
        text("numbers-only.txt", " ".join(str(n) for n in range(10_000))),
        text("impossible-dates.txt", "On 31/31/9999, 0000-00-00 and February 30, 2017 " * 300),
        text("html-markup.txt", "<html><body><p>" + NEWS * 20 + "</p><script>x</script>"),
        text("urls-and-emails.txt", "https://example.com/a?b=c mail@example.org " * 1_000),
        text("repeated-name.txt", "Nursultan " * 10_000),
        text("all-caps-wire.txt", NEWS.upper() * 40),
        text("lowercase-no-punctuation.txt", NEWS.lower().replace(".", "").replace(",", "") * 40),
        Doc("bom-utf8.txt", b"\xef\xbb\xbf" + (NEWS + "(UTF-8 with a BOM)").encode("utf-8")),
        Doc("utf16-with-bom.txt", (NEWS + "(UTF-16)").encode("utf-16")),
        Doc(
            "latin1-accent-apostrophe.txt",
            NEWS.replace("Kazakhstan", "Kazakhstan\u00b4s").encode("latin-1"),
        ),
        # Refused at ingest, with a reason
        refused("empty.txt", b"", "empty"),
        refused("whitespace-only.txt", b" \n\t\n" * 1_000, "empty"),
        refused("nul-bytes.txt", b"Almaty\x00\x00\x00 news", "NUL"),
        refused("mostly-control-characters.txt", b"\x01\x02\x03\x04news" * 500, "control"),
        refused("png-image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        refused("too-large.txt", b"word " * 700_000, "too large"),
        refused(
            "shift-jis.txt",
            "大統領は声明を発表した。東京で会議が開かれた。".encode("shift_jis"),
            "not plausible",
        ),
        Doc(
            "mixed-lines.jsonl",
            b"\n".join(
                [
                    json.dumps({"id": "ok", "text": NEWS + "(JSONL)"}).encode(),
                    b"{not json",
                    json.dumps({"id": "rtl", "text": rtl * 200}).encode(),
                    json.dumps({"id": 3, "text": "\ud800 lone surrogate"}).encode(),
                ]
            ),
        ),
    ]


# Expected quarantine reasons of the JSONL file's bad lines (line number: words).
JSONL_REFUSED = {2: ("malformed JSON",), 4: ("surrogate",)}
# The limit the run uses, so ``too-large.txt`` (3.5 MB) is refused and the 1.5 MB line is not.
MAX_FILE_BYTES = 3_000_000
