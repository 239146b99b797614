-- Document context for entity resolution and event clustering.
SELECT doc_id, text, publisher, published_at
FROM documents
ORDER BY doc_id;
