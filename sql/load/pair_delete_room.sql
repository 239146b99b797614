-- DuckDB's memory cap now and the rows of event_pairs (what a delete from it may touch).
SELECT current_setting('memory_limit') AS memory_limit, (SELECT count(*) FROM event_pairs) AS n_pairs;
