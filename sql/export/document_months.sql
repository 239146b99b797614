-- The lake partition of each document: the year and month of its news (publication date, else
-- the day it was loaded) and its Hive path. Every partitioned table takes its document's
-- partition from here, and the commit records the partitions it touched with it.
-- Only the documents of the partitions $partitions, unless $all_partitions.
CREATE OR REPLACE TEMP TABLE document_months AS
SELECT doc_id, year, month, concat('year=', year, '/month=', month) AS partition
FROM (
    SELECT
        doc_id,
        strftime(coalesce(published_at, load_date), '%Y') AS year,
        strftime(coalesce(published_at, load_date), '%m') AS month
    FROM documents
)
WHERE $all_partitions OR list_contains($partitions::VARCHAR[], concat('year=', year, '/month=', month));
