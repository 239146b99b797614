-- Column names of one table of the current database, in order.
SELECT column_name
FROM information_schema.columns
WHERE table_name = $table_name AND table_catalog = current_database()
ORDER BY ordinal_position;
