-- Each document's publisher and publication date (event clusters count publishers and report
-- times), its most mentioned resolved entities with their document frequency (events of
-- documents about the same people and places are more likely one event; clustering keeps the
-- first few; names only: person descriptions would count a person twice; nor the further,
-- untagged occurrences of a tagged name (repeated), which the clustering model was not fitted
-- on: with them the per-topic refits of ECB+ chose differently), and the words of its
-- opening with their counts (term_counts, counted into document_terms beforehand by
-- document_term_counts.sql) and the 64 most distinctive of them with their document frequency
-- over every document's words (reports of one event share its particular vocabulary:
-- "handcuffs", "escape").
-- Every document when $all (fitting the model), else the documents $chunk_ids (the profiles
-- incremental clustering computes and stores for a run's new documents, a chunk at a time: word
-- frequencies count all of document_terms, the run's new documents' words included).
WITH per_document AS (
    SELECT doc_id, entity_id, count(*) AS n_mentions
    FROM entity_mentions
    WHERE entity_id IS NOT NULL AND antecedent_mention_id IS NULL AND repeated IS NOT TRUE
      AND ($all OR doc_id IN (SELECT unnest($chunk_ids::VARCHAR[])))
    GROUP BY ALL
),
ranked AS (
    SELECT p.doc_id, p.entity_id, p.n_mentions, e.n_documents,
           row_number() OVER (PARTITION BY p.doc_id ORDER BY p.n_mentions DESC, p.entity_id) AS rank
    FROM per_document AS p
    JOIN entities AS e USING (entity_id)
),
salient AS (
    SELECT doc_id,
           list(struct_pack(entity_id := entity_id, n_mentions := n_mentions,
                            n_documents := n_documents) ORDER BY rank) AS salient_entities
    FROM ranked
    GROUP BY doc_id
),
corpus AS (
    SELECT count(*) AS n_documents FROM documents
),
-- Every document's opening words are counted in document_terms (document_term_counts.sql).
term_counts AS (
    SELECT doc_id, term, n
    FROM document_terms
    WHERE $all OR doc_id IN (SELECT unnest($chunk_ids::VARCHAR[]))
),
term_spread AS (
    SELECT term, count(*) AS n_documents
    FROM document_terms
    WHERE ($all AND doc_id IN (SELECT doc_id FROM documents))
       OR (NOT $all AND term IN (SELECT term FROM term_counts))
    GROUP BY ALL
),
terms AS (
    -- The 64 words of highest tf-idf (ties: by the word, so the choice is deterministic).
    SELECT t.doc_id,
           list(struct_pack(term := t.term, n := t.n) ORDER BY t.term) AS term_counts,
           max_by(struct_pack(term := t.term, n := t.n, n_documents := s.n_documents),
                  struct_pack(weight := t.n * ln((1 + c.n_documents) / (1 + s.n_documents)),
                              term := t.term),
                  64) AS distinctive_terms
    FROM term_counts AS t
    JOIN term_spread AS s USING (term)
    CROSS JOIN corpus AS c
    WHERE $all OR t.doc_id IN (SELECT unnest($chunk_ids::VARCHAR[]))
    GROUP BY t.doc_id
)
SELECT d.doc_id, d.publisher, d.published_at,
       (SELECT n_documents FROM corpus) AS n_corpus_documents,
       e.salient_entities, t.distinctive_terms, t.term_counts
FROM documents AS d
LEFT JOIN salient AS e USING (doc_id)
LEFT JOIN terms AS t USING (doc_id)
WHERE $all OR d.doc_id IN (SELECT unnest($chunk_ids::VARCHAR[]))
ORDER BY d.doc_id;
