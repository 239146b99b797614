-- The events of the blocks $blocks whose date is unknown or only a publication day: the only
-- members whose candidate pairs change when a block's size crosses clusters.MAX_FULL_BLOCK
-- (two dates read from the text follow one window at any size).
SELECT DISTINCT b.event_id
FROM event_blocks AS b
JOIN events AS e ON e.event_id = b.event_id
WHERE b.block IN (SELECT unnest($blocks::VARCHAR[]))
  AND (e.event_date IS NULL OR e.date_source = 'publication')
ORDER BY b.event_id;
