-- Remove every row of superseded documents (a source file whose content changed).
DELETE FROM sentences WHERE list_contains($doc_ids, doc_id);
DELETE FROM date_mentions WHERE list_contains($doc_ids, doc_id);
DELETE FROM document_parts WHERE list_contains($doc_ids, doc_id);
DELETE FROM entity_mentions WHERE list_contains($doc_ids, doc_id);
DELETE FROM events WHERE list_contains($doc_ids, doc_id);
DELETE FROM documents WHERE list_contains($doc_ids, doc_id);
DELETE FROM resolution_keys WHERE list_contains($doc_ids, doc_id);
