-- Write the given partitions of the published rows, Hive-style by year and month of the news.
COPY (
    SELECT * EXCLUDE (year, month), year, month
    FROM published_rows
    WHERE list_contains($partitions, concat('year=', year, '/month=', month))
    ORDER BY ALL
) TO $path
    (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month),
     KV_METADATA {newsetl_schema_version: $schema_version});
