-- Each event of $event_ids that has a stored pair, with its most probable pair's probability
-- (a singleton cluster's confidence is one less it), aggregated here rather than read pair by pair.
SELECT event_id, max(probability) AS probability
FROM (
    SELECT first_event_id AS event_id, probability
    FROM event_pairs
    WHERE first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
    UNION ALL
    SELECT second_event_id AS event_id, probability
    FROM event_pairs
    WHERE second_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
)
GROUP BY event_id
ORDER BY event_id;
