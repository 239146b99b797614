"""One document through the per-document stages: normalize -> spaCy -> anatomy, sentences,
mentions, events and date mentions.

``extract_document`` is the one place that turns a parsed document into rows: the pipeline
(``iter_batch_rows``), every evaluation command and the benchmarks call it, so what is measured
is what runs. It touches no storage.

A document longer than ``DocumentLimits.part_chars`` goes through the stages part by part: its
raw text is cut on paragraph or sentence boundaries, each part is normalized, parsed and
extracted alone, and its rows are shifted into the whole document (offsets, sentence and part
numbers, ids) and handed out in chunks, so memory holds one part's offset map, Doc and rows
however long the document is. Each document (each part of a long one) has a time budget; one
that exceeds it is quarantined with the stage ``timeout`` and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import pairwise

from spacy.tokens import Doc

from etl.ids import stable_id
from etl.records import Article, Quarantined, RawSpan, identity_span
from etl.stages.anatomy import Anatomy, contains_url, read_anatomy
from etl.stages.extract.dates import date_spans, extract_date_mentions
from etl.stages.extract.event_scoring import EventScorer
from etl.stages.extract.events import EventFinding, extract_event_findings
from etl.stages.extract.mentions import (
    extract_descriptions,
    extract_mentions,
    repeated_name_mentions,
)
from etl.stages.extract.sentences import extract_sentences
from etl.stages.nlp import (
    ParseFailure,
    Parser,
    boundary_cuts,
    count_words,
    failure_reason,
    timeout_reason,
)
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


def _may_name(anatomy: Anatomy, mention: dict) -> bool:
    """Whether a mention row lies inside one part whose words may be names of the story."""
    part = anatomy.part_of(mention["start_char"], mention["end_char"])
    return part is not None and part.kind not in NO_MENTION_KINDS


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
    text = doc.text  # built from a Python Token per token: read once
    anatomy = read_anatomy(text, url=url)
    if published_at is not None:
        published_source = "metadata"
    else:
        published_at, published_source = anatomy.published_at, anatomy.published_at_source
    sentences = extract_sentences(doc, doc_id, text)
    sentence_starts = [row["start_char"] for row in sentences]
    mentions = [
        row
        for row in extract_mentions(doc, doc_id, sentence_starts, to_raw)
        if _may_name(anatomy, row)
        and not contains_url(row["text"])  # a link inside a sentence is no name either
    ]
    mentions_by_id = {row["mention_id"]: row for row in mentions}
    dates = date_spans(doc)  # read once: events are dated by them, and they are rows too
    findings = [
        finding
        for finding in extract_event_findings(
            doc,
            mentions,
            doc_id=doc_id,
            published_at=published_at,
            to_raw=to_raw,
            scorer=event_scorer,
            dates=dates,
            text=text,
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
        if _may_name(anatomy, row)
    ]
    # Further occurrences of the names spaCy left untagged join last, so that events and
    # descriptions read what they read before.
    mentions += [
        row
        for row in repeated_name_mentions(
            doc,
            doc_id,
            [row for row in mentions if row["antecedent_mention_id"] is None],
            mentions,
            sentence_starts,
            to_raw,
        )
        if _may_name(anatomy, row)
    ]
    date_mentions = extract_date_mentions(
        doc, doc_id, published_at, sentence_starts, to_raw, events, dates
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
    articles of the batch that failed a stage (quarantined; the others still load).

    ``iter_batch_rows`` hands a batch out in chunks. A chunk with ``partial`` holds rows of a long
    document still in progress: they count only if the document completes (a later chunk without
    ``partial``), and are dropped if the next chunk has ``drops_partial`` (the document failed).
    """

    documents: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    date_mentions: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    document_parts: list[dict] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    partial: bool = False
    drops_partial: bool = False

    def n_rows(self) -> int:
        return sum(len(getattr(self, table)) for table in ROW_TABLES)

    def add(self, extracted: ExtractedDocument) -> None:
        """The rows of one extracted document (or document part), but its ``documents`` row."""
        self.document_parts.extend(extracted.parts)
        self.sentences.extend(extracted.sentences)
        self.date_mentions.extend(extracted.date_mentions)
        self.mentions.extend(extracted.mentions)
        self.events.extend(extracted.events)

    def extend(self, other: BatchRows) -> None:
        for table in (*ROW_TABLES, "quarantined"):
            getattr(self, table).extend(getattr(other, table))


ROW_TABLES = tuple(
    f.name for f in fields(BatchRows) if f.name not in ("quarantined", "partial", "drops_partial")
)


@dataclass(frozen=True)
class DocumentLimits:
    """How long a document may be before it goes through the stages in parts, and how long its
    stages may take (``etl.settings``: ``document_part_chars``, ``document_timeout_s``)."""

    part_chars: int = 200_000
    timeout_s: float | None = None
    # Rows a chunk of ``iter_batch_rows`` holds before it is handed out (long documents only:
    # a batch of ordinary articles is one chunk, as before). Held as Python dicts (about 0.8 KB
    # a row), whose memory the process keeps once freed: the buffer sets the run's high-water
    # mark (bench/bench_big_article.py), so it is a few parts' rows, not 100,000 (80 MB).
    flush_rows: int = 20_000
    clock: Callable[[], float] = time.monotonic  # what the time budget is measured with


class DocumentTimeout(Exception):
    """A document's stages took longer than its time budget."""

    def __init__(self, stage: str, elapsed_s: float, budget_s: float, per: str) -> None:
        super().__init__(stage, elapsed_s, budget_s)
        self.reason = timeout_reason(stage, budget_s, elapsed_s, per)


class TimeBudget:
    """The time a document's stages have spent; ``check`` raises once it exceeds the budget.

    Checked after each stage (the stages run in this thread and cannot be stopped midway). A
    long document has the budget per part (``per="document part"``): however long it is, it
    loads as long as no part gets stuck.
    """

    def __init__(
        self,
        budget_s: float | None,
        clock: Callable[[], float] = time.monotonic,
        per: str = "document",
    ) -> None:
        self.budget_s = budget_s
        self.per = per
        self.spent_s = 0.0
        self.clock = clock
        self._since = clock()

    def check(self, stage: str) -> None:
        now = self.clock()
        self.spent_s += now - self._since
        self._since = now
        if self.budget_s is not None and self.spent_s > self.budget_s:
            raise DocumentTimeout(stage, self.spent_s, self.budget_s, self.per)

    def pause(self) -> None:
        """Stop the clock (while this document waits for others to be parsed)."""
        self.spent_s += self.clock() - self._since

    def resume(self) -> None:
        self._since = self.clock()


def document_row(
    article: Article,
    text: str,
    case_restored: bool,
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
        "text": text,
        "case_restored": case_restored,
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


def parse_failure(article: Article, failure: ParseFailure) -> Quarantined:
    """The quarantine record of an article spaCy failed on (or that passed its time budget)."""
    if failure.timed_out:
        return Quarantined(article.source_uri, failure.reason)
    return stage_failure(article, "nlp", failure.reason)


def document_part_bounds(raw_text: str, part_chars: int) -> list[tuple[int, int]]:
    """Raw ``[start, end)`` of each part a long document goes through the stages in: cut on
    paragraph, sentence or word boundaries, the whitespace of a cut starting the next part."""
    edges = [0, *boundary_cuts(raw_text, part_chars, space_follows=True), len(raw_text)]
    return list(pairwise(edges))


# Row ids and the ids rows refer to (an event's actor, a date mention's event).
ID_KEYS = ("mention_id", "event_id", "date_mention_id", "actor_mention_id", "recipient_mention_id")


def _part_id(row_id: str | None, part_index: int) -> str | None:
    # Ids are hashes of the part's own offsets: those of later parts are hashed again with the
    # part's number, so they are unique in the document (and the first part's stay as they are).
    return row_id if row_id is None or part_index == 0 else stable_id(row_id, "part", part_index)


def shift_into_document(
    extracted: ExtractedDocument,
    part_index: int,
    text_start: int,
    raw_start: int,
    sentence_start: int,
    part_start: int,
) -> None:
    """Move the rows of one part of a document to their place in the whole document."""
    for row in [
        *extracted.sentences,
        *extracted.mentions,
        *extracted.events,
        *extracted.date_mentions,
        *extracted.parts,
    ]:
        row["start_char"] += text_start
        row["end_char"] += text_start
        if "raw_start_char" in row:
            row["raw_start_char"] += raw_start
            row["raw_end_char"] += raw_start
        if "sentence_idx" in row:
            row["sentence_idx"] += sentence_start
        if "part_idx" in row:
            row["part_idx"] += part_start
        for key in ID_KEYS:
            if key in row:
                row[key] = _part_id(row[key], part_index)


def _extract(
    doc: Doc, article: Article, norm: NormalizedText, published_at: date | None = None
) -> ExtractedDocument:
    return extract_document(
        doc,
        article.doc_id,
        published_at=published_at or article.published_at,
        url=article.url,
        to_raw=norm.raw_span,
    )


def iter_batch_rows(
    articles: Sequence[Article],
    parser: Parser,
    *,
    run_id: str,
    load_date: date,
    evidence: CaseEvidence | None = None,
    limits: DocumentLimits = DocumentLimits(),
    parsed: Callable[[], None] | None = None,
) -> Iterator[BatchRows]:
    """Normalize, parse and extract every article of a batch, handed out in chunks of rows.

    Each article is isolated: one that fails normalization, parsing or extraction (any error)
    is quarantined with the stage and the reason, one that passes its time budget with the stage
    ``timeout``, and the rest of the batch loads. Articles up to ``limits.part_chars`` long come
    first, in input order, in one chunk; each longer one follows in parts (``BatchRows.partial``
    chunks of about ``limits.flush_rows`` rows, then the chunk with its ``documents`` row).
    ``parsed()`` is called when the batch's last text has been parsed (not when a document
    fails before it), so a caller can end the parser's processes before the last rows are
    extracted and handed out.
    """
    whole = [a for a in articles if len(a.raw_text) <= limits.part_chars]
    long = [a for a in articles if len(a.raw_text) > limits.part_chars]
    rows = BatchRows()
    parsed_articles: list[tuple[Article, NormalizedText, TimeBudget] | None] = []

    def normalized_texts() -> Iterator[str]:
        # Lazily, so a parser in another process starts on the first texts while later ones
        # are still being normalized; text i is always normalized before Doc i comes back.
        for article in whole:
            budget = TimeBudget(limits.timeout_s, limits.clock)
            try:
                norm = normalize(article.raw_text, evidence)
                budget.check("normalize")
                budget.pause()
            except DocumentTimeout as timeout:
                rows.quarantined.append(Quarantined(article.source_uri, timeout.reason))
                continue
            except Exception as error:
                rows.quarantined.append(stage_failure(article, "normalize", failure_reason(error)))
                continue
            parsed_articles.append((article, norm, budget))
            yield norm.text

    for index, doc in enumerate(parser.parse(normalized_texts())):
        article, norm, budget = parsed_articles[index]
        parsed_articles[index] = None  # its offset map is no longer needed once extracted
        if isinstance(doc, ParseFailure):
            rows.quarantined.append(parse_failure(article, doc))
            continue
        budget.resume()
        try:
            extracted = _extract(doc, article, norm)
            budget.check("extract")
        except DocumentTimeout as timeout:
            rows.quarantined.append(Quarantined(article.source_uri, timeout.reason))
            continue
        except Exception as error:
            rows.quarantined.append(stage_failure(article, "extract", failure_reason(error)))
            continue
        rows.documents.append(
            document_row(article, norm.text, norm.case_restored, run_id, load_date, extracted)
        )
        rows.add(extracted)
    if parsed and not long:
        parsed()
    yield rows
    for number, article in enumerate(long, 1):
        last_parsed = parsed if number == len(long) else None
        yield from _long_document_rows(
            article, parser, run_id, load_date, evidence, limits, last_parsed
        )


def _long_document_rows(
    article: Article,
    parser: Parser,
    run_id: str,
    load_date: date,
    evidence: CaseEvidence | None,
    limits: DocumentLimits,
    parsed: Callable[[], None] | None = None,
) -> Iterator[BatchRows]:
    """One long article through the stages part by part (see the module docstring);
    ``parsed()`` is called once its last part is parsed."""
    rows = BatchRows(partial=True)
    texts: list[str] = []
    first: ExtractedDocument | None = None
    case_restored = False
    n_words = n_sentences = n_parts = text_start = 0
    stage = "normalize"
    try:
        bounds = document_part_bounds(article.raw_text, limits.part_chars)
        for part_index, (raw_start, raw_end) in enumerate(bounds):
            stage = "normalize"
            budget = TimeBudget(limits.timeout_s, limits.clock, per="document part")
            norm = normalize(article.raw_text[raw_start:raw_end], evidence)
            budget.check(stage)
            stage = "nlp"
            (doc,) = parser.parse([norm.text])
            if parsed and part_index == len(bounds) - 1:
                parsed()
            if isinstance(doc, ParseFailure):
                raise _PartParseFailure(doc)
            budget.check(stage)
            stage = "extract"
            # Later parts are dated by the document's date, not by dates they happen to state.
            published_at = first.published_at if first else None
            extracted = _extract(doc, article, norm, published_at)
            # The part's Doc goes now, not when the next part's Doc replaces it: two Docs of a
            # part would be held while the next one is parsed.
            del doc
            budget.check(stage)
            shift_into_document(extracted, part_index, text_start, raw_start, n_sentences, n_parts)
            if first is None:
                first = extracted
            rows.add(extracted)
            texts.append(norm.text)
            case_restored = case_restored or norm.case_restored
            n_words += extracted.n_words
            n_sentences += len(extracted.sentences)
            n_parts += len(extracted.parts)
            text_start += len(norm.text)
            if rows.n_rows() >= limits.flush_rows:
                yield rows
                rows = BatchRows(partial=True)
    except DocumentTimeout as timeout:
        failure = Quarantined(article.source_uri, timeout.reason)
    except _PartParseFailure as part_failure:
        failure = parse_failure(article, part_failure.failure)
    except Exception as error:
        failure = stage_failure(article, stage, failure_reason(error))
    else:
        failure = None
    if failure is not None:
        yield BatchRows(quarantined=[failure], drops_partial=True)
        return
    # The first part carries the document's header: headline, dateline, publication date.
    row = document_row(article, "".join(texts), case_restored, run_id, load_date, first)
    row["n_words"] = n_words
    rows.documents.append(row)
    rows.partial = False
    yield rows


class _PartParseFailure(Exception):
    """spaCy could not parse one part of a long document."""

    def __init__(self, failure: ParseFailure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


def accepted_chunks(chunks: Iterable[BatchRows], use: Callable[[BatchRows], object]) -> list:
    """``use(chunk)`` for every chunk, in order; the results of a long document's ``partial``
    chunks are kept only once the document completes, and dropped when it fails."""
    kept: list = []
    pending: list = []
    for chunk in chunks:
        result = use(chunk)
        if chunk.partial:
            pending.append(result)
            continue
        if not chunk.drops_partial:
            kept.extend(pending)
        pending = []
        kept.append(result)
    return kept


def process_articles(
    articles: Sequence[Article],
    parser: Parser,
    *,
    run_id: str,
    load_date: date,
    evidence: CaseEvidence | None = None,
    limits: DocumentLimits = DocumentLimits(),
) -> BatchRows:
    """``iter_batch_rows`` gathered into one ``BatchRows`` (callers that hold a batch whole)."""
    rows = BatchRows()
    chunks = iter_batch_rows(
        articles, parser, run_id=run_id, load_date=load_date, evidence=evidence, limits=limits
    )
    for chunk in accepted_chunks(chunks, lambda chunk: chunk):
        rows.extend(chunk)
    return rows
