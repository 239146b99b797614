-- Record the version of the code that derived one kind of state.
INSERT OR REPLACE INTO derived_state (name, version, recorded_at) VALUES ($name, $version, now());
