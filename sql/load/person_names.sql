-- The corpus's full person names with their anchors and blocks (incremental resolution's
-- stored linking).
SELECT key, anchor, name_block, surname_block
FROM person_names
ORDER BY key;
