"""One document through the per-document stages: normalize -> spaCy -> sentences, mentions,
events and date mentions.

``extract_document`` is the one place that turns a parsed document into rows: the pipeline
(``process_articles``), every evaluation command and the benchmarks call it, so what is measured
is what runs. It touches no storage.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc

from etl.records import Article, Quarantined, RawSpan, identity_span
from etl.stages.extract.dates import extract_date_mentions
from etl.stages.extract.events import extract_events_with_rules
from etl.stages.extract.mentions import extract_mentions
from etl.stages.extract.sentences import extract_sentences
from etl.stages.nlp import ParseFailure, Parser, failure_reason
from etl.stages.normalize import CaseEvidence, NormalizedText, normalize


@dataclass
class ExtractedDocument:
    """The per-document rows of one parsed document (schemas in ``etl.schema``)."""

    sentences: list[dict]
    mentions: list[dict]
    events: list[dict]
    event_rules: list[str]  # the extraction rule behind each event, for calibration
    date_mentions: list[dict]
    n_words: int


def extract_document(
    doc: Doc,
    doc_id: str,
    *,
    published_at: date | None = None,
    to_raw: RawSpan = identity_span,
) -> ExtractedDocument:
    """Sentences, entity mentions, events and date mentions of one parsed document."""
    sentences = extract_sentences(doc, doc_id)
    sentence_starts = [row["start_char"] for row in sentences]
    mentions = extract_mentions(doc, doc_id, sentence_starts, to_raw)
    with_rules = extract_events_with_rules(
        doc, mentions, doc_id=doc_id, published_at=published_at, to_raw=to_raw
    )
    events = [row for row, _ in with_rules]
    date_mentions = extract_date_mentions(
        doc, doc_id, published_at, sentence_starts, to_raw, events
    )
    return ExtractedDocument(
        sentences=sentences,
        mentions=mentions,
        events=events,
        event_rules=[rule for _, rule in with_rules],
        date_mentions=date_mentions,
        n_words=sum(1 for token in doc if not (token.is_punct or token.is_space)),
    )


@dataclass
class BatchRows:
    """Rows of the per-document tables for one batch (schemas in ``etl.schema``), and the
    articles of the batch that failed a stage (quarantined; the others still load)."""

    documents: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    date_mentions: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


def document_row(
    article: Article, normalized: NormalizedText, run_id: str, load_date: date, n_words: int
) -> dict:
    return {
        "doc_id": article.doc_id,
        "source_uri": article.source_uri,
        "publisher": article.publisher,
        "url": article.url,
        "title": article.title,
        "published_at": article.published_at,
        "raw_text": article.raw_text,
        "text": normalized.text,
        "case_restored": normalized.case_restored,
        "content_sha256": article.content_sha256,
        "run_id": run_id,
        "encoding": article.encoding,
        "n_words": n_words,
        "load_date": load_date,
    }


def stage_failure(article: Article, stage: str, reason: str) -> Quarantined:
    """The quarantine record of an article that failed a per-document stage."""
    return Quarantined(article.source_uri, f"{stage} failed: {reason}")


def process_articles(
    articles: Sequence[Article],
    parser: Parser,
    *,
    run_id: str,
    load_date: date,
    evidence: CaseEvidence | None = None,
) -> BatchRows:
    """Normalize, parse and extract every article of a batch, in input order.

    Each article is isolated: one that fails normalization, parsing or extraction (any error)
    is quarantined with the stage and the reason, and the rest of the batch loads.
    """
    rows = BatchRows()
    parsed_articles: list[tuple[Article, NormalizedText]] = []

    def normalized_texts() -> Iterator[str]:
        # Lazily, so a parser in another process starts on the first texts while later ones
        # are still being normalized; text i is always normalized before Doc i comes back.
        for article in articles:
            try:
                norm = normalize(article.raw_text, evidence)
            except Exception as error:
                rows.quarantined.append(stage_failure(article, "normalize", failure_reason(error)))
                continue
            parsed_articles.append((article, norm))
            yield norm.text

    for index, doc in enumerate(parser.parse(normalized_texts())):
        article, norm = parsed_articles[index]
        if isinstance(doc, ParseFailure):
            rows.quarantined.append(stage_failure(article, "nlp", doc.reason))
            continue
        try:
            extracted = extract_document(
                doc, article.doc_id, published_at=article.published_at, to_raw=norm.raw_span
            )
        except Exception as error:
            rows.quarantined.append(stage_failure(article, "extract", failure_reason(error)))
            continue
        rows.documents.append(document_row(article, norm, run_id, load_date, extracted.n_words))
        rows.sentences.extend(extracted.sentences)
        rows.date_mentions.extend(extracted.date_mentions)
        rows.mentions.extend(extracted.mentions)
        rows.events.extend(extracted.events)
    return rows
