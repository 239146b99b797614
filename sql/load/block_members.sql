-- Every event of the blocks $blocks, with its block.
SELECT block, event_id
FROM event_blocks
WHERE block IN (SELECT unnest($blocks::VARCHAR[]));
