-- The number of events of each block $blocks.
SELECT block, count(*) AS n_events
FROM event_blocks
WHERE block IN (SELECT unnest($blocks::VARCHAR[]))
GROUP BY block;
