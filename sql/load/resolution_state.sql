-- Whether incremental resolution can build on this warehouse: false when entities exist
-- without their tallies (a warehouse of an older release, resolved in full once).
SELECT NOT (EXISTS (SELECT 1 FROM entities) AND NOT EXISTS (SELECT 1 FROM entity_tallies))
    AS complete;
