-- Warehouse tables. Column names and order follow etl/schema.py (tests/test_schema_sql.py checks it).
-- Offsets are 0-based, end-exclusive Python string indices into documents.text unless named raw_.

CREATE TABLE IF NOT EXISTS documents (
    doc_id          VARCHAR PRIMARY KEY,
    source_uri      VARCHAR NOT NULL,
    publisher       VARCHAR,
    url             VARCHAR,
    title           VARCHAR,
    published_at    DATE,
    raw_text        VARCHAR NOT NULL,
    text            VARCHAR NOT NULL,
    case_restored   BOOLEAN NOT NULL,
    content_sha256  VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    encoding        VARCHAR,
    n_words         INTEGER,
    load_date       DATE
);

CREATE TABLE IF NOT EXISTS sentences (
    doc_id        VARCHAR NOT NULL,
    sentence_idx  INTEGER NOT NULL,
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    text          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS date_mentions (
    date_mention_id  VARCHAR NOT NULL,
    doc_id           VARCHAR NOT NULL,
    sentence_idx     INTEGER,
    text             VARCHAR NOT NULL,
    start_char       INTEGER NOT NULL,
    end_char         INTEGER NOT NULL,
    raw_start_char   INTEGER,
    raw_end_char     INTEGER,
    resolved_date    DATE,
    granularity      VARCHAR,
    event_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS entity_mentions (
    mention_id      VARCHAR NOT NULL,
    doc_id          VARCHAR NOT NULL,
    sentence_idx    INTEGER,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    raw_start_char  INTEGER,
    raw_end_char    INTEGER,
    text            VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    entity_id       VARCHAR
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id     VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    country_code  VARCHAR,
    n_mentions    INTEGER,
    n_documents   INTEGER
);

CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id   VARCHAR NOT NULL,
    alias       VARCHAR NOT NULL,
    n_mentions  INTEGER
);

CREATE TABLE IF NOT EXISTS events (
    event_id               VARCHAR NOT NULL,
    doc_id                 VARCHAR NOT NULL,
    sentence_idx           INTEGER,
    event_type             VARCHAR NOT NULL,
    mode                   VARCHAR,
    actor_mention_id       VARCHAR,
    actor_text             VARCHAR,
    recipient_mention_id   VARCHAR,
    recipient_text         VARCHAR,
    trigger_text           VARCHAR,
    start_char             INTEGER,
    end_char               INTEGER,
    raw_start_char         INTEGER,
    raw_end_char           INTEGER,
    event_date             DATE,
    date_text              VARCHAR,
    date_source            VARCHAR,
    location_text          VARCHAR,
    location_country_code  VARCHAR,
    negated                BOOLEAN,
    factuality             VARCHAR,
    confidence             DOUBLE,
    actor_entity_id        VARCHAR,
    recipient_entity_id    VARCHAR,
    cluster_id             VARCHAR
);

CREATE TABLE IF NOT EXISTS event_clusters (
    cluster_id           VARCHAR NOT NULL,
    event_type           VARCHAR NOT NULL,
    actor_entity_id      VARCHAR,
    recipient_entity_id  VARCHAR,
    event_date           DATE,
    n_mentions           INTEGER,
    n_documents          INTEGER,
    n_publishers         INTEGER
);

CREATE TABLE IF NOT EXISTS runs (
    run_id            VARCHAR PRIMARY KEY,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,
    docs_seen         INTEGER,
    docs_loaded       INTEGER,
    docs_unchanged    INTEGER,
    docs_quarantined  INTEGER,
    source            VARCHAR,
    error             VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    source_uri  VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL
);
