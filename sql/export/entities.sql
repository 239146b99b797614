-- Publish entities to the lake as one zstd Parquet file.
COPY (SELECT * FROM entities ORDER BY ALL) TO $path
    (FORMAT parquet, COMPRESSION zstd, KV_METADATA {newsetl_schema_version: '1'});
