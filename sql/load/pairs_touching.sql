-- The candidate pairs with an event among $event_ids (with $threshold > 0: only the pairs at
-- least that probable, the links clusters form along).
SELECT first_event_id, second_event_id, probability
FROM event_pairs
WHERE probability >= $threshold
  AND (first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
       OR second_event_id IN (SELECT unnest($event_ids::VARCHAR[])));
