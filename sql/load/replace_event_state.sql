-- Apply the clustering state's change: the pairs that changed ($stale_pairs: gone, or scored
-- anew) replaced by the new ones ($pairs), and the blocks and profiles of the documents it
-- recomputed (a document's terms with its profile) ($stale_docs) replaced by the new ones.
-- One delete joined on both events of the changed pairs only: DuckDB keeps version data for
-- every vector of rows a delete touches, so a delete by stale event (whose pairs lie scattered
-- over the whole table) ran out of its 128MB on the pairs of a 100,000-document archive.
DELETE FROM event_pairs AS p
USING read_parquet($stale_pairs) AS s
WHERE p.first_event_id = s.first_event_id AND p.second_event_id = s.second_event_id;
INSERT INTO event_pairs BY NAME SELECT * FROM read_parquet($pairs);
DELETE FROM event_blocks WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO event_blocks BY NAME SELECT * FROM read_parquet($blocks);
DELETE FROM document_profiles WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO document_profiles BY NAME SELECT * FROM read_parquet($profiles);
DELETE FROM document_terms WHERE doc_id IN (SELECT doc_id FROM read_parquet($stale_docs));
INSERT INTO document_terms BY NAME SELECT * FROM read_parquet($terms);
