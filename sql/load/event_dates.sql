-- The date and its source of each event of $event_ids (a filter on the few listed, not a join with events:
-- a night's transaction leaves DuckDB little memory for a hash table of every event).
SELECT event_id, event_date, date_source
FROM events
WHERE event_id IN (SELECT unnest($event_ids::VARCHAR[]));
