"""Parsed spaCy Docs cached on disk, so evaluations re-run resolution without re-parsing.

A cache entry is one ``DocBin`` file named by a hash of the spaCy model's name and version and the
exact text parsed; a changed text or model misses the cache and is parsed again. The cache is
optional (``cache_dir=None`` parses every time) and never affects what is measured.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin


def _entry(cache_dir: Path, nlp: Language, text: str) -> Path:
    model = f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"
    digest = hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()[:32]
    return cache_dir / f"{digest}.spacy"


def parse_cached(nlp: Language, texts: Sequence[str], cache_dir: Path | None) -> Iterator[Doc]:
    """One Doc per text, in order: read from ``cache_dir`` when present, else parsed and stored."""
    if cache_dir is None:
        yield from nlp.pipe(texts)
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    entries = [_entry(cache_dir, nlp, text) for text in texts]
    missing = [text for text, entry in zip(texts, entries, strict=True) if not entry.exists()]
    for text, doc in zip(missing, nlp.pipe(missing), strict=True):
        entry = _entry(cache_dir, nlp, text)
        temporary = entry.with_suffix(".tmp")
        temporary.write_bytes(DocBin(docs=[doc]).to_bytes())
        temporary.replace(entry)
    for entry in entries:
        yield next(iter(DocBin().from_bytes(entry.read_bytes()).get_docs(nlp.vocab)))
