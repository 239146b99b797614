-- Each document's text and source file, for the ECB+ miss diagnostic (resolution reads the text).
SELECT doc_id, text, source_uri
FROM documents
ORDER BY doc_id;
