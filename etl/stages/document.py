"""One document through the per-document stages: normalize -> spaCy -> anatomy, sentences,
mentions, events and date mentions.

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
from etl.stages.anatomy import Anatomy, contains_url, read_anatomy
from etl.stages.extract.dates import extract_date_mentions
from etl.stages.extract.event_scoring import EventScorer
from etl.stages.extract.events import EventFinding, extract_event_findings
from etl.stages.extract.mentions import extract_descriptions, extract_mentions
from etl.stages.extract.sentences import extract_sentences
from etl.stages.nlp import ParseFailure, Parser, count_words, failure_reason
from etl.stages.normalize import CaseEvidence, NormalizedText, normalize


@dataclass
class ExtractedDocument:
    """The per-document rows of one parsed document (schemas in ``etl.schema``)."""

    sentences: list[dict]
    mentions: list[dict]
    events: list[dict]
    # Each event with the rule behind it and its scorer features, for calibration and fitting.
    event_findings: list[EventFinding]
    date_mentions: list[dict]
    n_words: int
    anatomy: Anatomy
    parts: list[dict]  # document_parts rows
    published_at: date | None  # the metadata date, else the one the text states
    published_at_source: str | None


# Mentions in these parts are no names of the story (a URL's words, a menu's "Home", "US",
# a footer's category tags); a mention straddling two parts is dropped too.
NO_MENTION_KINDS = frozenset({"url", "boilerplate"})


def _linked_spans(event: dict, mentions_by_id: dict[str, dict]) -> list[tuple[int, int]]:
    spans = [(event["start_char"], event["end_char"])]
    for key in ("actor_mention_id", "recipient_mention_id"):
        mention = mentions_by_id.get(event[key]) if event[key] else None
        if mention is not None:
            spans.append((mention["start_char"], mention["end_char"]))
    return spans


def part_rows(doc_id: str, anatomy: Anatomy, to_raw: RawSpan) -> list[dict]:
    """One ``document_parts`` row per part (schema ``etl.schema.DOCUMENT_PARTS``)."""
    rows = []
    for part in anatomy.parts:
        raw_start, raw_end = to_raw(part.start, part.end)
        rows.append(
            {
                "doc_id": doc_id,
                "part_idx": part.index,
                "kind": part.kind,
                "start_char": part.start,
                "end_char": part.end,
                "raw_start_char": raw_start,
                "raw_end_char": raw_end,
            }
        )
    return rows


def extract_document(
    doc: Doc,
    doc_id: str,
    *,
    published_at: date | None = None,
    url: str | None = None,
    to_raw: RawSpan = identity_span,
    event_scorer: EventScorer | None = None,
    description_share: float | None = None,
) -> ExtractedDocument:
    """Anatomy, sentences, entity mentions, events and date mentions of one parsed document.

    Events are read from the body only: an event whose trigger, actor or recipient lies in a URL,
    date line, dateline, boilerplate or list-item part, or whose actor or recipient is a link,
    is dropped; no mention is taken from a URL or boilerplate part, across two parts, or from a
    link. Without ``published_at`` the date the text states (``anatomy``) dates it.
    ``event_scorer`` decides which candidate events to keep (default: the fitted one);
    ``description_share`` overrides the learned protagonist share of person descriptions.
    """
    anatomy = read_anatomy(doc.text, url=url)
    if published_at is not None:
        published_source = "metadata"
    else:
        published_at, published_source = anatomy.published_at, anatomy.published_at_source
    sentences = extract_sentences(doc, doc_id)
    sentence_starts = [row["start_char"] for row in sentences]
    mentions = [
        row
        for row in extract_mentions(doc, doc_id, sentence_starts, to_raw)
        if (part := anatomy.part_of(row["start_char"], row["end_char"])) is not None
        and part.kind not in NO_MENTION_KINDS
        and not contains_url(row["text"])  # a link inside a sentence is no name either
    ]
    mentions_by_id = {row["mention_id"]: row for row in mentions}
    findings = [
        finding
        for finding in extract_event_findings(
            doc,
            mentions,
            doc_id=doc_id,
            published_at=published_at,
            to_raw=to_raw,
            scorer=event_scorer,
        )
        if all(anatomy.is_body(*span) for span in _linked_spans(finding.row, mentions_by_id))
        and not any(
            contains_url(finding.row[key] or "") for key in ("actor_text", "recipient_text")
        )
    ]
    events = [finding.row for finding in findings]
    # Descriptions join the mentions after the events were read from the names alone.
    mentions += [
        row
        for row in extract_descriptions(
            doc, doc_id, mentions, sentence_starts, to_raw, description_share
        )
        if (part := anatomy.part_of(row["start_char"], row["end_char"])) is not None
        and part.kind not in NO_MENTION_KINDS
    ]
    date_mentions = extract_date_mentions(
        doc, doc_id, published_at, sentence_starts, to_raw, events
    )
    return ExtractedDocument(
        sentences=sentences,
        mentions=mentions,
        events=events,
        event_findings=findings,
        date_mentions=date_mentions,
        n_words=count_words(doc),
        anatomy=anatomy,
        parts=part_rows(doc_id, anatomy, to_raw),
        published_at=published_at,
        published_at_source=published_source,
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
    document_parts: list[dict] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


def document_row(
    article: Article,
    normalized: NormalizedText,
    run_id: str,
    load_date: date,
    extracted: ExtractedDocument,
) -> dict:
    return {
        "doc_id": article.doc_id,
        "source_uri": article.source_uri,
        "publisher": article.publisher,
        "url": article.url,
        "title": article.title,
        "published_at": extracted.published_at,
        "raw_text": article.raw_text,
        "text": normalized.text,
        "case_restored": normalized.case_restored,
        "content_sha256": article.content_sha256,
        "run_id": run_id,
        "encoding": article.encoding,
        "n_words": extracted.n_words,
        "load_date": load_date,
        "headline": extracted.anatomy.headline,
        "dateline": extracted.anatomy.dateline,
        "published_at_source": extracted.published_at_source,
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
                doc,
                article.doc_id,
                published_at=article.published_at,
                url=article.url,
                to_raw=norm.raw_span,
            )
        except Exception as error:
            rows.quarantined.append(stage_failure(article, "extract", failure_reason(error)))
            continue
        rows.documents.append(document_row(article, norm, run_id, load_date, extracted))
        rows.document_parts.extend(extracted.parts)
        rows.sentences.extend(extracted.sentences)
        rows.date_mentions.extend(extracted.date_mentions)
        rows.mentions.extend(extracted.mentions)
        rows.events.extend(extracted.events)
    return rows
