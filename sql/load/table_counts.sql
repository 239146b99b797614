-- Row counts of the main tables, for the run summary.
SELECT 'documents' AS table_name, count(*) AS n FROM documents
UNION ALL SELECT 'sentences', count(*) FROM sentences
UNION ALL SELECT 'entities', count(*) FROM entities
UNION ALL SELECT 'entity_mentions', count(*) FROM entity_mentions
UNION ALL SELECT 'events', count(*) FROM events
UNION ALL SELECT 'date_mentions', count(*) FROM date_mentions
UNION ALL SELECT 'document_parts', count(*) FROM document_parts
UNION ALL SELECT 'event_clusters', count(*) FROM event_clusters
UNION ALL SELECT 'quarantine', count(*) FROM quarantine;
