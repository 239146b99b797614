-- Whether incremental clustering can build on this warehouse: false when events exist without
-- blocking keys (a warehouse of an older release, clustered in full once).
SELECT NOT (EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM event_blocks))
    AS complete;
