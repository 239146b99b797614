-- The ids of the documents a run staged ($documents: its staging files).
SELECT doc_id FROM read_parquet($documents) ORDER BY doc_id;
