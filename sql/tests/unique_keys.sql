-- Data test: every table's key (the contract's key column) is unique. Returns offending keys.
SELECT 'documents' AS table_name, doc_id AS key, count(*) AS n
FROM documents GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'sentences', concat(doc_id, '/', sentence_idx), count(*)
FROM sentences GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'document_parts', concat(doc_id, '/', part_idx), count(*)
FROM document_parts GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'date_mentions', date_mention_id, count(*)
FROM date_mentions GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'entity_mentions', mention_id, count(*)
FROM entity_mentions GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'entities', entity_id, count(*)
FROM entities GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'entity_aliases', concat(entity_id, '/', alias), count(*)
FROM entity_aliases GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'events', event_id, count(*)
FROM events GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'event_clusters', cluster_id, count(*)
FROM event_clusters GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'runs', run_id, count(*)
FROM runs GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'quarantine', concat(source_uri, '/', run_id), count(*)
FROM quarantine GROUP BY ALL HAVING count(*) > 1
UNION ALL
-- The derived tables of incremental resolution and clustering have no primary key (its index
-- would be held in memory): their keys are checked here.
SELECT 'entity_tallies', entity_id, count(*)
FROM entity_tallies GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'person_names', key, count(*)
FROM person_names GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'resolution_keys', concat(doc_id, '/', role, '/', key), count(*)
FROM resolution_keys GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'document_profiles', concat(doc_id, '/', entity_id), count(*)
FROM document_profiles GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'document_terms', concat(doc_id, '/', term), count(*)
FROM document_terms GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'event_blocks', concat(block, '/', event_id), count(*)
FROM event_blocks GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'event_pairs', concat(first_event_id, '/', second_event_id), count(*)
FROM event_pairs GROUP BY ALL HAVING count(*) > 1;
