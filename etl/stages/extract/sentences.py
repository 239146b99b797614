"""Sentence rows from a parsed Doc, with character offsets into the normalized text."""

from __future__ import annotations

from spacy.tokens import Doc


def extract_sentences(doc: Doc, doc_id: str) -> list[dict]:
    """One row per sentence (schema ``etl.schema.SENTENCES``), whitespace-only sentences skipped."""
    rows = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
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
