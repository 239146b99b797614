-- The published rows of documents, partitioned by the month of the news of their document.
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT t.*, m.year, m.month
FROM documents AS t
JOIN document_months AS m USING (doc_id);
