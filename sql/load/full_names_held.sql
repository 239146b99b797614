-- Which of the full person names $keys some document other than $excluded still holds.
SELECT DISTINCT key
FROM resolution_keys
WHERE role = 'full_name'
  AND key IN (SELECT unnest($keys::VARCHAR[]))
  AND doc_id NOT IN (SELECT unnest($excluded::VARCHAR[]))
ORDER BY key;
