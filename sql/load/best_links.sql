-- Each event of $event_ids that has a stored pair at least as probable as $floor (weaker ones,
-- left by an older release, count as never compared), with its most probable pair's probability
-- (a singleton cluster's confidence is one less it), aggregated here rather than read pair by pair.
SELECT event_id, max(probability) AS probability
FROM (
    SELECT first_event_id AS event_id, probability
    FROM event_pairs
    WHERE probability >= $floor AND first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
    UNION ALL
    SELECT second_event_id AS event_id, probability
    FROM event_pairs
    WHERE probability >= $floor AND second_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
)
GROUP BY event_id
ORDER BY event_id;
