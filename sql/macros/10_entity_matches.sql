-- entity_matches(q): ids of the entities called q (canonical name or any alias).
-- Matching ignores case and accents. An exact name/alias match wins; when there is none, any
-- entity with q as one whole word of its name or an alias matches (so 'Nazarbayev' also finds
-- an entity known only as 'Nursultan Nazarbayev'). Macros read base tables only: they are
-- created before the views on every load.
CREATE OR REPLACE MACRO entity_matches(q) AS TABLE
WITH forms AS (
    SELECT entity_id, lower(strip_accents(name)) AS form_key FROM entities
    UNION
    SELECT entity_id, lower(strip_accents(alias)) AS form_key FROM entity_aliases
),
exact AS (
    SELECT DISTINCT entity_id FROM forms WHERE form_key = lower(strip_accents(q))
),
by_word AS (
    SELECT DISTINCT entity_id
    FROM forms
    WHERE list_contains(string_split(form_key, ' '), lower(strip_accents(q)))
)
SELECT entity_id FROM exact
UNION ALL
SELECT entity_id FROM by_word WHERE NOT EXISTS (SELECT 1 FROM exact);
