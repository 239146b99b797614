-- The published rows of sentences, with the month of the news of their document (publication date,
-- else load date) as the lake partition: year=YYYY/month=MM.
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT
    t.*,
    strftime(coalesce(d.published_at, d.load_date), '%Y') AS year,
    strftime(coalesce(d.published_at, d.load_date), '%m') AS month
FROM sentences AS t
JOIN documents AS d USING (doc_id);
