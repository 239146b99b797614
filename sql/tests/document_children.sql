-- Data test: every sentence, document part, mention, date mention and event belongs to a loaded document.
SELECT 'sentences' AS table_name, doc_id FROM sentences ANTI JOIN documents USING (doc_id)
UNION ALL
SELECT 'document_parts', doc_id FROM document_parts ANTI JOIN documents USING (doc_id)
UNION ALL
SELECT 'entity_mentions', doc_id FROM entity_mentions ANTI JOIN documents USING (doc_id)
UNION ALL
SELECT 'date_mentions', doc_id FROM date_mentions ANTI JOIN documents USING (doc_id)
UNION ALL
SELECT 'events', doc_id FROM events ANTI JOIN documents USING (doc_id);
