-- The published rows of documents, with the month of the news (publication date, else load date)
-- as the lake partition: year=YYYY/month=MM.
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT
    *,
    strftime(coalesce(published_at, load_date), '%Y') AS year,
    strftime(coalesce(published_at, load_date), '%m') AS month
FROM documents;
