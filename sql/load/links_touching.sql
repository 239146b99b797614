-- The pairs with an event among $event_ids at least $threshold probable: those clusters can form
-- along, once the pairs of two dates read from the text further apart than the spread are left
-- out (incremental_coref._components reads the ends' dates by event_dates.sql: a join with
-- events here overran a night's DuckDB memory cap at 100,000 archived documents).
SELECT first_event_id, second_event_id
FROM event_pairs
WHERE probability >= $threshold
  AND (first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
       OR second_event_id IN (SELECT unnest($event_ids::VARCHAR[])));
