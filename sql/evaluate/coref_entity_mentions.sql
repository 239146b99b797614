-- Entity mentions with their raw span and resolved entity: what `newsetl eval coref` matches.
SELECT doc_id, raw_start_char, raw_end_char, entity_id
FROM entity_mentions
ORDER BY doc_id, raw_start_char;
