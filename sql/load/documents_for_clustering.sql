-- Each document's publisher and publication date (event clusters count publishers and report
-- times), its most mentioned resolved entities with their document frequency (events of
-- documents about the same people and places are more likely one event; clustering keeps the
-- first few), and its most distinctive words with their counts and document frequency (reports
-- of one event share its particular vocabulary: "handcuffs", "escape", "guards").
WITH per_document AS (
    SELECT doc_id, entity_id, count(*) AS n_mentions
    FROM entity_mentions
    WHERE entity_id IS NOT NULL
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
),
words AS (
    SELECT doc_id, unnest(regexp_extract_all(lower(text), '[a-z][a-z]{2,}')) AS term
    FROM documents
),
term_counts AS (
    SELECT doc_id, term, count(*) AS n
    FROM words
    GROUP BY ALL
),
term_spread AS (
    SELECT term, count(*) AS n_documents
    FROM term_counts
    GROUP BY ALL
),
corpus AS (
    SELECT count(*) AS n_documents FROM documents
),
ranked_terms AS (
    SELECT t.doc_id, t.term, t.n, s.n_documents,
           row_number() OVER (
               PARTITION BY t.doc_id
               ORDER BY t.n * ln((1 + c.n_documents) / (1 + s.n_documents)) DESC, t.term
           ) AS rank
    FROM term_counts AS t
    JOIN term_spread AS s USING (term)
    CROSS JOIN corpus AS c
),
terms AS (
    SELECT doc_id,
           list(struct_pack(term := term, n := n, n_documents := n_documents) ORDER BY rank)
               AS distinctive_terms
    FROM ranked_terms
    WHERE rank <= 64  -- enough for a report's own words; bounds the rows clustering reads
    GROUP BY doc_id
)
SELECT d.doc_id, d.publisher, d.published_at,
       (SELECT n_documents FROM corpus) AS n_corpus_documents,
       list(struct_pack(entity_id := r.entity_id, n_mentions := r.n_mentions,
                        n_documents := r.n_documents) ORDER BY r.rank)
           FILTER (WHERE r.entity_id IS NOT NULL) AS salient_entities,
       any_value(t.distinctive_terms) AS distinctive_terms
FROM documents AS d
LEFT JOIN ranked AS r USING (doc_id)
LEFT JOIN terms AS t USING (doc_id)
GROUP BY d.doc_id, d.publisher, d.published_at
ORDER BY d.doc_id;
