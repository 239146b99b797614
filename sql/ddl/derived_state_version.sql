-- The recorded version of one kind of derived state (no row: an older release derived it).
SELECT max(version) AS version FROM derived_state WHERE name = $name;
