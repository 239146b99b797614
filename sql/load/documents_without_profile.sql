-- Documents whose profile was never stored (a warehouse of an older release), or all of them.
SELECT doc_id
FROM documents
WHERE $all
   OR (doc_id NOT IN (SELECT doc_id FROM document_profiles)
       AND doc_id NOT IN (SELECT doc_id FROM document_terms))
ORDER BY doc_id;
