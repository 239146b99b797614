-- Apply the clustering state's change: the pairs, blocks and profiles of the documents and
-- events it recomputed (a document's terms with its profile) ($stale_docs, $stale_events) replaced by the new ones.
-- Two deletes, not one with OR: each is a semi join on the few stale events, where the OR
-- made DuckDB run out of its 128MB on the pairs of a 100,000-document archive.
DELETE FROM event_pairs WHERE first_event_id IN (SELECT event_id FROM read_parquet($stale_events));
DELETE FROM event_pairs WHERE second_event_id IN (SELECT event_id FROM read_parquet($stale_events));
INSERT INTO event_pairs BY NAME SELECT * FROM read_parquet($pairs);
DELETE FROM event_blocks WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO event_blocks BY NAME SELECT * FROM read_parquet($blocks);
DELETE FROM document_profiles WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO document_profiles BY NAME SELECT * FROM read_parquet($profiles);
DELETE FROM document_terms WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO document_terms BY NAME SELECT * FROM read_parquet($terms);
