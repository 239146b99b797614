-- Every event of the blocks $blocks, with its block and date (a large block compares only
-- events dated close together).
SELECT b.block, b.event_id, e.event_date
FROM event_blocks AS b
JOIN events AS e USING (event_id)
WHERE b.block IN (SELECT unnest($blocks::VARCHAR[]));
