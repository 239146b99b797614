-- Canonical names and aliases already in the warehouse: casing evidence for degraded documents.
SELECT name FROM entities
UNION
SELECT alias FROM entity_aliases;
