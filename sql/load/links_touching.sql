-- The pairs with an event among $event_ids along which clusters can form: at least $threshold
-- probable, and not two events whose dates read from the text lie more than $max_spread_days
-- apart (average link never joins clusters so far apart, so no cluster spans such a pair alone).
SELECT p.first_event_id, p.second_event_id
FROM event_pairs AS p
JOIN events AS a ON a.event_id = p.first_event_id
JOIN events AS b ON b.event_id = p.second_event_id
WHERE p.probability >= $threshold
  AND (p.first_event_id IN (SELECT unnest($event_ids::VARCHAR[]))
       OR p.second_event_id IN (SELECT unnest($event_ids::VARCHAR[])))
  AND NOT (a.date_source IS DISTINCT FROM 'publication' AND a.event_date IS NOT NULL
           AND b.date_source IS DISTINCT FROM 'publication' AND b.event_date IS NOT NULL
           AND abs(date_diff('day', a.event_date, b.event_date)) > $max_spread_days);
