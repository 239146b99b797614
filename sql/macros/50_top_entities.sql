-- top_entities(day, n := 10): the n entities mentioned in the most documents reported on that
-- day (documents.published_at, or the load date when the publication date is unknown), ties
-- broken by number of mentions, then name.
CREATE OR REPLACE MACRO top_entities(day, n := 10) AS TABLE
WITH day_docs AS (
    SELECT doc_id
    FROM documents
    WHERE coalesce(published_at, load_date) = CAST(day AS DATE)
),
counts AS (
    SELECT
        m.entity_id,
        count(DISTINCT m.doc_id) AS n_documents,
        count(*) AS n_mentions
    FROM entity_mentions AS m
    JOIN day_docs AS d ON d.doc_id = m.doc_id
    WHERE m.entity_id IS NOT NULL
    GROUP BY m.entity_id
)
SELECT
    row_number() OVER (ORDER BY c.n_documents DESC, c.n_mentions DESC, e.name) AS rank,
    e.entity_id,
    e.name,
    e.label,
    e.country_code,
    c.n_documents,
    c.n_mentions
FROM counts AS c
JOIN entities AS e ON e.entity_id = c.entity_id
ORDER BY rank
LIMIT n;
