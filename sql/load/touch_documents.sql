-- Documents whose published rows this run may change ($doc_ids): the lake compares only their
-- partitions after the run (the commit's connection keeps them in a temporary table).
CREATE TEMP TABLE IF NOT EXISTS touched_documents (doc_id VARCHAR);
INSERT INTO touched_documents SELECT unnest($doc_ids::VARCHAR[]);
