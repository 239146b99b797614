-- What is loaded already: used to skip unchanged documents and supersede changed ones.
SELECT doc_id, source_uri, content_sha256
FROM documents;
