-- Each document's source file: `newsetl eval coref` ties it to a gold document by its path.
SELECT doc_id, source_uri
FROM documents
ORDER BY doc_id;
