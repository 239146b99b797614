-- Documents holding a group key whose entity the run's new person names may change (other
-- than the documents $excluded): incremental resolution moves their mentions.
SELECT DISTINCT doc_id
FROM resolution_keys
WHERE role = 'root'
  AND key IN (SELECT unnest($keys::VARCHAR[]))
  AND doc_id NOT IN (SELECT unnest($excluded::VARCHAR[]))
ORDER BY doc_id;
