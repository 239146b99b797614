-- The lake partition of each document: the year and month of its news (publication date, else
-- the day it was loaded). Every partitioned table takes its document's partition from here.
CREATE OR REPLACE TEMP VIEW document_months AS
SELECT
    doc_id,
    strftime(coalesce(published_at, load_date), '%Y') AS year,
    strftime(coalesce(published_at, load_date), '%m') AS month
FROM documents;
