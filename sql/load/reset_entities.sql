-- Before a full resolution: no entity and no resolution state.
DELETE FROM entities;
DELETE FROM entity_aliases;
DELETE FROM entity_tallies;
DELETE FROM resolution_keys;
DELETE FROM person_names;
