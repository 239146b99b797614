-- The candidate pairs with an event among $event_ids.
SELECT first_event_id, second_event_id, probability
FROM event_pairs
WHERE first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
   OR second_event_id IN (SELECT unnest($event_ids::VARCHAR[]));
