-- Load one run's per-document rows from its staging Parquet files.
INSERT INTO documents BY NAME SELECT * FROM read_parquet($documents);
INSERT INTO sentences BY NAME SELECT * FROM read_parquet($sentences);
INSERT INTO date_mentions BY NAME SELECT * FROM read_parquet($date_mentions);
INSERT INTO document_parts BY NAME SELECT * FROM read_parquet($document_parts);
INSERT INTO entity_mentions BY NAME SELECT * FROM read_parquet($mentions);
INSERT INTO events BY NAME SELECT * FROM read_parquet($events);
