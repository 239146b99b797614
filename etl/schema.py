"""Arrow schemas of every table newsetl writes: the single source of column names and types.

The lake (Parquet) and the warehouse (DuckDB) both follow these schemas. Columns listed in the
public contract (``../shared/spec/CONTRACT.md``) may never be renamed or dropped; new columns
may be added at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# Version of the warehouse and lake layout: written into every Parquet file and the lake's
# manifest, recorded in the warehouse by its migrations (sql/migrations/NNNN_*.sql, NNNN being
# the version each one brings a warehouse to), checked when either is opened for a run.
# 2: lake partitioned by month of the news, partition digests, keys on every table.
SCHEMA_VERSION = "2"

# Version of how the warehouse's derived state (entity resolution keys and person-name anchors,
# entity tallies, event clustering pairs) is computed from its documents, recorded in the
# warehouse's ``derived_state`` table. Bump it with any change to that derivation (e.g. to
# ``name_key``): a warehouse recording another version, or none (made before it was recorded),
# has its entities and clusters recomputed in full once, by its next run.
# 1: name_key for every resolution path (23b1c28).
# 2: event pair feature participant_overlap_same_day, event coreference model refitted (story6).
# 3: full person names read as pass 1 groups them (headline words dropped), a full name linking
#    both of its short forms, a surname named apart only in the parser's same sentence (ents6).
# 4: within-document grouping of gument6 (both name orders, folded acronyms, institution short
#    forms, place initials, bracketed short forms).
# 5: one act by the same actor toward the same recipient on one day, dated by the text, is one
#    event (clusters.one_act_one_day).
# 6: place-qualified descriptions to the protagonist, genders from given names (desc6).
# 7: event candidates within a learned date window in every block (night6).
# 8: within-document grouping of gument7, derived place aliases (alias7), person-name linking of
#    ecbent7, occurrence events, earlier-mention parties and reversed roles (events7).
# 9: further occurrences of a name spaCy tagged elsewhere are mentions (entity_mentions.repeated),
#    resolved with the others; documents' salient entities for clustering leave them out.
# 10: event pair feature same_trigger_text_similarity, event coreference model refitted (coref9).
# 11: within-document grouping of ents10 (abbreviated ranks dropped, titled and untagged
#     person names read as the document's persons, acronyms with function words or any label,
#     a place tagged so no given name; languages, split coordinations and nicknames as mentions).
# 12: no role noun is dropped from a headline name; a hyphenated headline word is dropped
#     around a name when each of its parts would be (ents11).
# 13: a city tagged ORG / NORP right after a locative word is the place (ents12).
DERIVED_STATE_VERSION = "13"

DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_uri", pa.string()),
        ("publisher", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("published_at", pa.date32()),
        ("raw_text", pa.string()),
        ("text", pa.string()),
        ("case_restored", pa.bool_()),
        ("content_sha256", pa.string()),
        ("run_id", pa.string()),
        ("encoding", pa.string()),
        ("n_words", pa.int32()),
        ("load_date", pa.date32()),
        # Document anatomy (etl.stages.anatomy): the headline line, the dateline, and where
        # published_at came from (metadata, published_line, updated_line, dateline, url; null
        # when no date is known).
        ("headline", pa.string()),
        ("dateline", pa.string()),
        ("published_at_source", pa.string()),
    ]
)

# The parts of a document's text (etl.stages.anatomy): kind is url, headline, date_line,
# dateline, boilerplate, list_item or body; events and actors are read from headline and body
# parts only.
DOCUMENT_PARTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("part_idx", pa.int32()),
        ("kind", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("raw_start_char", pa.int32()),
        ("raw_end_char", pa.int32()),
    ]
)

SENTENCES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sentence_idx", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
    ]
)

# Date expressions of a sentence, resolved against the publication date; event_id names the
# (first) event whose event_date came from the expression.
DATE_MENTIONS = pa.schema(
    [
        ("date_mention_id", pa.string()),
        ("doc_id", pa.string()),
        ("sentence_idx", pa.int32()),
        ("text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("raw_start_char", pa.int32()),
        ("raw_end_char", pa.int32()),
        ("resolved_date", pa.date32()),
        ("granularity", pa.string()),
        ("event_id", pa.string()),
    ]
)

# Mentions as extracted, before entity resolution fills in entity_id.
MENTIONS = pa.schema(
    [
        ("mention_id", pa.string()),
        ("doc_id", pa.string()),
        ("sentence_idx", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("raw_start_char", pa.int32()),
        ("raw_end_char", pa.int32()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("spacy_label", pa.string()),
        # A description ("the Kazakh leader", "an Oklahoma man"): the name mention of the same
        # document it refers to; NULL for a name.
        ("antecedent_mention_id", pa.string()),
        # How the sentence uses a demonym mention: country, language, people or attribute
        # (etl.stages.resolve.demonyms); NULL for other mentions.
        ("demonym_use", pa.string()),
        # A further occurrence of a name spaCy tagged elsewhere in the document but not there
        # (etl.stages.extract.mentions.repeated_name_mentions): TRUE; FALSE for other mentions
        # (NULL in rows written before the column existed). Event clustering leaves them out.
        ("repeated", pa.bool_()),
    ]
)

# entity_id stays where it was before the description column was added (at the end).
ENTITY_MENTIONS = MENTIONS.insert(
    MENTIONS.get_field_index("antecedent_mention_id"), pa.field("entity_id", pa.string())
)

ENTITIES = pa.schema(
    [
        ("entity_id", pa.string()),
        ("name", pa.string()),
        ("label", pa.string()),
        ("country_code", pa.string()),
        ("n_mentions", pa.int32()),
        ("n_documents", pa.int32()),
    ]
)

ENTITY_ALIASES = pa.schema(
    [
        ("entity_id", pa.string()),
        ("alias", pa.string()),
        ("n_mentions", pa.int32()),
    ]
)

# Mention -> entity assignment produced by resolution.
MENTION_ENTITIES = pa.schema([("mention_id", pa.string()), ("entity_id", pa.string())])

# Events as extracted, before resolution fills entity ids and cluster ids.
EXTRACTED_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),
        ("doc_id", pa.string()),
        ("sentence_idx", pa.int32()),
        ("event_type", pa.string()),
        ("mode", pa.string()),
        ("actor_mention_id", pa.string()),
        ("actor_text", pa.string()),
        ("recipient_mention_id", pa.string()),
        ("recipient_text", pa.string()),
        ("trigger_text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("raw_start_char", pa.int32()),
        ("raw_end_char", pa.int32()),
        ("event_date", pa.date32()),
        ("date_text", pa.string()),
        ("date_source", pa.string()),
        ("location_text", pa.string()),
        ("location_country_code", pa.string()),
        ("negated", pa.bool_()),
        ("factuality", pa.string()),
        ("confidence", pa.float64()),
    ]
)

EVENTS = pa.schema(
    [
        *EXTRACTED_EVENTS,
        pa.field("actor_entity_id", pa.string()),
        pa.field("recipient_entity_id", pa.string()),
        pa.field("cluster_id", pa.string()),
    ]
)

# Event -> cluster assignment produced by clustering.
EVENT_CLUSTER_MAP = pa.schema([("event_id", pa.string()), ("cluster_id", pa.string())])

EVENT_CLUSTERS = pa.schema(
    [
        ("cluster_id", pa.string()),
        ("event_type", pa.string()),
        ("actor_entity_id", pa.string()),
        ("recipient_entity_id", pa.string()),
        ("event_date", pa.date32()),
        ("n_mentions", pa.int32()),
        ("n_documents", pa.int32()),
        ("n_publishers", pa.int32()),
        ("date_source", pa.string()),
        ("first_reported_at", pa.date32()),
        ("last_reported_at", pa.date32()),
        ("confidence", pa.float64()),
    ]
)

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("docs_seen", pa.int32()),
        ("docs_loaded", pa.int32()),
        ("docs_unchanged", pa.int32()),
        ("docs_quarantined", pa.int32()),
        ("source", pa.string()),
        ("error", pa.string()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("source_uri", pa.string()),
        ("reason", pa.string()),
        ("run_id", pa.string()),
    ]
)

# Incremental entity resolution's state (etl/run/incremental.py): the name keys each document's
# resolution looked up in the corpus-wide person names (role ``full_name``: a full person name it
# contributes; ``root``: a group key whose entity depends on those names) ...
RESOLUTION_KEYS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("role", pa.string()),
        ("key", pa.string()),
    ]
)

# ... every full person name of the corpus (the union of the ``full_name`` keys above) with the
# anchor linking gave it and the two blocks it is compared in (``person_name_blocks``), so that a
# run relinks only the names that share a block with a name it adds or removes ...
PERSON_NAMES = pa.schema(
    [
        ("key", pa.string()),
        ("anchor", pa.string()),
        ("name_block", pa.string()),
        ("surname_block", pa.string()),
    ]
)

# ... and each entity's (kind, anchor) and the counts its name, label and country come from
# (JSON objects value -> count), so that new documents add to them instead of recounting.
ENTITY_TALLIES = pa.schema(
    [
        ("entity_id", pa.string()),
        ("kind", pa.string()),
        ("anchor", pa.string()),
        ("surfaces", pa.string()),
        ("labels", pa.string()),
        ("title_countries", pa.string()),
        ("group_isos", pa.string()),
    ]
)

# Incremental event clustering's state (etl/run/incremental_coref.py): each document's salient
# entities with their weights, computed once with the corpus statistics of the run that loaded
# (or re-resolved) it; each event's blocking keys; every candidate pair with its probability.
DOCUMENT_PROFILES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("entity_id", pa.string()),
        ("weight", pa.float64()),
    ]
)

# Every word of a document's opening with its count (the document frequency of words is counted
# over this table) and, for the words of its stored profile, their frozen tf-idf weight.
DOCUMENT_TERMS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("term", pa.string()),
        ("n", pa.int64()),
        ("weight", pa.float64()),
    ]
)

EVENT_BLOCKS = pa.schema(
    [
        ("block", pa.string()),
        ("event_id", pa.string()),
        ("doc_id", pa.string()),
    ]
)

EVENT_PAIRS = pa.schema(
    [
        ("first_event_id", pa.string()),
        ("second_event_id", pa.string()),
        ("probability", pa.float64()),
    ]
)

# The lake partitions (``year=YYYY/month=MM``, see sql/export/document_months.sql) whose rows
# each run's commit may have changed: those of the documents it added, superseded, re-resolved,
# relabeled or re-clustered. The publish after it compares only these (etl/run/commit.py).
LAKE_CHANGES = pa.schema(
    [
        ("run_id", pa.string()),
        ("partition", pa.string()),
    ]
)


@dataclass(frozen=True)
class WarehouseTable:
    """A warehouse table: its columns (the Arrow schema), its key (the contract's key column,
    a primary key in DuckDB) and the other columns that may not be NULL."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    required: tuple[str, ...] = ()
    # False for the large derived tables of incremental resolution and clustering: DuckDB holds
    # a primary key's index in memory, and their keys are kept unique by the code that fills them.
    primary_key: bool = True


# The warehouse DDL is generated from these (etl/storage/warehouse/ddl.py): a column added to a
# schema above appears in new warehouses and is added to existing ones when a run opens them.
WAREHOUSE_TABLES = (
    WarehouseTable(
        "documents",
        DOCUMENTS,
        ("doc_id",),
        ("source_uri", "raw_text", "text", "case_restored", "content_sha256", "run_id"),
    ),
    WarehouseTable(
        "sentences", SENTENCES, ("doc_id", "sentence_idx"), ("start_char", "end_char", "text")
    ),
    WarehouseTable(
        "document_parts",
        DOCUMENT_PARTS,
        ("doc_id", "part_idx"),
        ("kind", "start_char", "end_char"),
    ),
    WarehouseTable(
        "date_mentions",
        DATE_MENTIONS,
        ("date_mention_id",),
        ("doc_id", "text", "start_char", "end_char"),
    ),
    WarehouseTable(
        "entity_mentions",
        ENTITY_MENTIONS,
        ("mention_id",),
        ("doc_id", "start_char", "end_char", "text", "label"),
    ),
    WarehouseTable("entities", ENTITIES, ("entity_id",), ("name", "label")),
    WarehouseTable("entity_aliases", ENTITY_ALIASES, ("entity_id", "alias")),
    WarehouseTable("events", EVENTS, ("event_id",), ("doc_id", "event_type")),
    WarehouseTable("event_clusters", EVENT_CLUSTERS, ("cluster_id",), ("event_type",)),
    WarehouseTable("runs", RUNS, ("run_id",), ("status",)),
    WarehouseTable("quarantine", QUARANTINE, ("source_uri", "run_id"), ("reason",)),
    WarehouseTable("resolution_keys", RESOLUTION_KEYS, ("doc_id", "role", "key"), (), False),
    WarehouseTable("entity_tallies", ENTITY_TALLIES, ("entity_id",), ("kind", "anchor")),
    WarehouseTable("person_names", PERSON_NAMES, ("key",), ("anchor",), False),
    WarehouseTable(
        "document_profiles", DOCUMENT_PROFILES, ("doc_id", "entity_id"), ("weight",), False
    ),
    WarehouseTable("document_terms", DOCUMENT_TERMS, ("doc_id", "term"), ("n",), False),
    WarehouseTable("event_blocks", EVENT_BLOCKS, ("block", "event_id"), ("doc_id",), False),
    WarehouseTable(
        "event_pairs",
        EVENT_PAIRS,
        ("first_event_id", "second_event_id"),
        ("probability",),
        False,
    ),
    WarehouseTable("lake_changes", LAKE_CHANGES, ("run_id", "partition")),
)
