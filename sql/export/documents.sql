-- Publish documents to the lake, partitioned by the day each document was loaded.
COPY (SELECT * FROM documents ORDER BY doc_id) TO $path
    (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (load_date),
     KV_METADATA {newsetl_schema_version: '1'});
