"""Where data lives: the Parquet lake (``lake``) and the DuckDB warehouse (``warehouse``)."""
