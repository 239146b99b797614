-- The version of the code that derived this warehouse's resolution and clustering state
-- (resolution_keys, person_names, entity_tallies, event pairs and blocks): a run whose code
-- derives it differently (etl.schema.DERIVED_STATE_VERSION) recomputes it in full once.
CREATE TABLE IF NOT EXISTS derived_state (
    name        VARCHAR PRIMARY KEY,
    version     VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
