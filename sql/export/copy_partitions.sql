-- Write the given partitions of the published rows, Hive-style by year and month of the news
-- (a few at a time into one folder, so into a folder that may hold the earlier ones' already).
COPY (
    SELECT * EXCLUDE (year, month), year, month
    FROM published_rows
    WHERE list_contains($partitions, concat('year=', year, '/month=', month))
    ORDER BY ALL
) TO $path
    (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE,
     KV_METADATA {newsetl_schema_version: $schema_version});
