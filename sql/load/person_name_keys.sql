-- The corpus's full person names (entity resolution's corpus-wide input), leaving out the
-- documents $excluded (superseded in this run, or about to be added).
SELECT DISTINCT key
FROM resolution_keys
WHERE role = 'full_name' AND doc_id NOT IN (SELECT unnest($excluded::VARCHAR[]))
ORDER BY key;
