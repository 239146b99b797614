-- Row count and order-independent digest of each partition of the published rows: the lake
-- rewrites a partition only when its digest differs from the one it last published.
SELECT
    concat('year=', year, '/month=', month) AS partition,
    concat(count(*), ':', sum(hash(r)::HUGEINT)) AS digest
FROM published_rows AS r
GROUP BY ALL;
