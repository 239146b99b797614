-- Each document's publisher and publication date (event clusters count publishers and report
-- times) and its most mentioned resolved entities with their document frequency (events of
-- documents about the same people and places are more likely one event; clustering keeps the
-- first few). Names only: person descriptions ("an Oklahoma man") would count a person twice.
WITH per_document AS (
    SELECT doc_id, entity_id, count(*) AS n_mentions
    FROM entity_mentions
    WHERE entity_id IS NOT NULL AND antecedent_mention_id IS NULL
    GROUP BY ALL
),
spread AS (
    SELECT entity_id, count(*) AS n_documents
    FROM per_document
    GROUP BY ALL
),
ranked AS (
    SELECT p.doc_id, p.entity_id, p.n_mentions, s.n_documents,
           row_number() OVER (PARTITION BY p.doc_id ORDER BY p.n_mentions DESC, p.entity_id) AS rank
    FROM per_document AS p
    JOIN spread AS s USING (entity_id)
)
SELECT d.doc_id, d.publisher, d.published_at,
       (SELECT count(*) FROM documents) AS n_corpus_documents,
       list(struct_pack(entity_id := r.entity_id, n_mentions := r.n_mentions,
                        n_documents := r.n_documents) ORDER BY r.rank)
           FILTER (WHERE r.entity_id IS NOT NULL) AS salient_entities
FROM documents AS d
LEFT JOIN ranked AS r USING (doc_id)
GROUP BY d.doc_id, d.publisher, d.published_at
ORDER BY d.doc_id;
