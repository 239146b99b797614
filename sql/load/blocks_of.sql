-- The stored blocking keys of the documents $doc_ids' events and of the events $event_ids.
SELECT block, event_id
FROM event_blocks
WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
   OR event_id IN (SELECT unnest($event_ids::VARCHAR[]));
