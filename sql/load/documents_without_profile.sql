-- Documents whose profile was never stored (a warehouse of an older release), or all of them.
SELECT doc_id
FROM documents
WHERE $all OR doc_id NOT IN (SELECT doc_id FROM document_profiles)
ORDER BY doc_id;
