-- The lake partitions of the documents touched so far (document_months: every document's, see
-- sql/export/document_months.sql), kept before superseded documents are removed and at the end.
CREATE TEMP TABLE IF NOT EXISTS touched_documents (doc_id VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS touched_partitions (partition VARCHAR);
INSERT INTO touched_partitions
SELECT DISTINCT partition FROM document_months
WHERE doc_id IN (SELECT doc_id FROM touched_documents);
DELETE FROM touched_documents;
