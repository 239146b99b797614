-- co_mentioned(q): the entities mentioned in the same documents as the entity called q (name or
-- alias), with the number of shared documents and of shared sentences, most shared first.
CREATE OR REPLACE MACRO co_mentioned(q) AS TABLE
WITH target AS (
    SELECT entity_id FROM entity_matches(q)
),
target_sentences AS (
    SELECT DISTINCT doc_id, sentence_idx
    FROM entity_mentions
    WHERE entity_id IN (SELECT entity_id FROM target)
),
target_docs AS (
    SELECT DISTINCT doc_id FROM target_sentences
),
others AS (
    SELECT DISTINCT m.entity_id, m.doc_id, m.sentence_idx
    FROM entity_mentions AS m
    JOIN target_docs AS t ON t.doc_id = m.doc_id
    WHERE m.entity_id IS NOT NULL AND m.entity_id NOT IN (SELECT entity_id FROM target)
),
counts AS (
    SELECT
        o.entity_id,
        count(DISTINCT o.doc_id) AS n_documents,
        count(s.doc_id) AS n_sentences
    FROM others AS o
    LEFT JOIN target_sentences AS s
        ON s.doc_id = o.doc_id AND s.sentence_idx = o.sentence_idx
    GROUP BY o.entity_id
)
SELECT e.entity_id, e.name, e.label, e.country_code, c.n_documents, c.n_sentences
FROM counts AS c
JOIN entities AS e ON e.entity_id = c.entity_id
ORDER BY c.n_documents DESC, c.n_sentences DESC, e.name;
