-- Publish document_parts to the lake, partitioned by the day its document was loaded.
COPY (
    SELECT t.*, d.load_date
    FROM document_parts AS t
    JOIN documents AS d USING (doc_id)
    ORDER BY ALL
) TO $path
    (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (load_date),
     KV_METADATA {newsetl_schema_version: '1'});
