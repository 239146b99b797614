-- The documents (other than $excluded) holding one of the keys $keys in the role $role, with the
-- key: for role 'root', the documents whose entity the run's new person names may change
-- (incremental resolution moves their mentions); for role 'full_name', which of a run's
-- leaving names other documents still hold.
SELECT DISTINCT doc_id, key
FROM resolution_keys
WHERE role = $role
  AND key IN (SELECT unnest($keys::VARCHAR[]))
  AND doc_id NOT IN (SELECT unnest($excluded::VARCHAR[]))
ORDER BY doc_id, key;
