-- Texts of the documents $doc_ids: context for entity resolution.
SELECT doc_id, text
FROM documents
WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
ORDER BY doc_id;
