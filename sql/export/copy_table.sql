-- Write a table published as one file.
COPY (SELECT * FROM published_rows ORDER BY ALL) TO $path
    (FORMAT parquet, COMPRESSION zstd, KV_METADATA {newsetl_schema_version: $schema_version});
