-- DuckDB's memory cap for the rest of the connection ($memory_limit, such as '300MB').
SET memory_limit = $memory_limit;
