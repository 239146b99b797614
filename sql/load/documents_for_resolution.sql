-- Texts of one chunk of documents (doc_id in ($after, $through]): context for entity resolution.
SELECT doc_id, text
FROM documents
WHERE doc_id > $after AND doc_id <= $through
ORDER BY doc_id;
