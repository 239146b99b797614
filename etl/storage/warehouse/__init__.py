"""The DuckDB warehouse: loaded from Parquet, swapped in atomically, queried read-only."""
