-- The candidate pairs whose two events are both among $event_ids (the pairs average link sums
-- inside a set of whole components).
SELECT first_event_id, second_event_id, probability
FROM event_pairs
WHERE first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
  AND second_event_id IN (SELECT unnest($event_ids::VARCHAR[]));
