-- The date and its source of each event of $event_ids that is undated or dated between $low and
-- $high (the span of the date windows incremental clustering compares in): a filter on the few
-- listed, not a join with events (a night's transaction leaves DuckDB little memory for a hash
-- table of every event); the archive's events of other days are not returned.
SELECT event_id, event_date, date_source
FROM events
WHERE event_id IN (SELECT unnest($event_ids::VARCHAR[]))
  AND (event_date IS NULL OR event_date BETWEEN $low AND $high);
