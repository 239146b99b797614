-- Publish entity_aliases to the lake as one zstd Parquet file.
COPY (SELECT * FROM entity_aliases ORDER BY ALL) TO $path
    (FORMAT parquet, COMPRESSION zstd, KV_METADATA {newsetl_schema_version: '1'});
