-- entity_names: every form an entity is known by (its canonical name and each alias), with the
-- lower-case, accent-free key the macros match names on.
CREATE OR REPLACE VIEW entity_names AS
SELECT e.entity_id, e.name AS form, 'name' AS form_kind, lower(strip_accents(e.name)) AS form_key
FROM entities AS e
UNION ALL
SELECT a.entity_id, a.alias AS form, 'alias' AS form_kind, lower(strip_accents(a.alias)) AS form_key
FROM entity_aliases AS a;
