"""Sentence rows from a parsed Doc, with character offsets into the normalized text."""

from __future__ import annotations

from spacy.tokens import Doc, Span


def sentences_with_text(doc: Doc, text: str | None = None) -> list[tuple[Span, str]]:
    """Every sentence of a document with its text, read from the document's text once:
    ``Span.text`` builds the text from a Python ``Token`` per token (and ``Doc.text`` from all
    of them), which cost more than the rest of the sentence rows. ``text``: ``doc.text``, when
    the caller has it."""
    text = doc.text if text is None else text
    return [(sent, text[sent.start_char : sent.end_char]) for sent in doc.sents]


def extract_sentences(doc: Doc, doc_id: str, text: str | None = None) -> list[dict]:
    """One row per sentence (schema ``etl.schema.SENTENCES``), whitespace-only sentences skipped
    (``text``: ``doc.text``, when the caller has it)."""
    rows = []
    for sent, sent_text in sentences_with_text(doc, text):
        text = sent_text.strip()
        if not text:
            continue
        start = sent.start_char + (len(sent_text) - len(sent_text.lstrip()))
        rows.append(
            {
                "doc_id": doc_id,
                "sentence_idx": len(rows),
                "start_char": start,
                "end_char": start + len(text),
                "text": text,
            }
        )
    return rows
