-- Publish event_clusters to the lake as one zstd Parquet file.
COPY (SELECT * FROM event_clusters ORDER BY ALL) TO $path
    (FORMAT parquet, COMPRESSION zstd, KV_METADATA {newsetl_schema_version: '1'});
