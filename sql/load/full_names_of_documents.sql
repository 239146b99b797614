-- The full person names the documents $doc_ids contributed (their resolution keys).
SELECT DISTINCT key
FROM resolution_keys
WHERE role = 'full_name' AND doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
ORDER BY key;
