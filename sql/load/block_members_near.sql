-- The members of the blocks $blocks that incremental clustering may compare with a recomputed
-- event (clusters.candidate_pairs), with their dates: those dated within one of the ranges
-- [$lows[k], $highs[k]] (the recomputed events' dates widened by the widest date window), the
-- undated ones of the blocks $small_blocks (small enough to compare fully) and every member of
-- the blocks $whole_blocks (small blocks of an undated recomputed event). The date filter is
-- applied to events before the join, so the archive's other days are never read into it.
WITH ranges AS (
    SELECT unnest($lows::DATE[]) AS low, unnest($highs::DATE[]) AS high
),
members AS (
    SELECT block, event_id
    FROM event_blocks
    WHERE block IN (SELECT unnest($blocks::VARCHAR[]))
),
candidates AS (
    SELECT event_id, event_date, date_source
    FROM events
    WHERE event_date IS NULL
       OR EXISTS (SELECT 1 FROM ranges AS r WHERE event_date BETWEEN r.low AND r.high)
       OR event_id IN (
           SELECT event_id FROM members
           WHERE block IN (SELECT unnest($whole_blocks::VARCHAR[]))
       )
)
SELECT m.block, m.event_id, c.event_date, c.date_source
FROM members AS m
JOIN candidates AS c ON c.event_id = m.event_id
WHERE c.event_date IS NOT NULL AND EXISTS (
          SELECT 1 FROM ranges AS r WHERE c.event_date BETWEEN r.low AND r.high
      )
   OR (c.event_date IS NULL AND m.block IN (SELECT unnest($small_blocks::VARCHAR[])))
   OR m.block IN (SELECT unnest($whole_blocks::VARCHAR[]))
ORDER BY m.block, c.event_date, m.event_id;
