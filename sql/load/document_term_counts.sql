-- Store the word counts of the openings of the documents $doc_ids in document_terms (weight
-- NULL until their profiles are computed): profiles then read every document's words from one
-- table, and a run's new documents are split into words once, not once per chunk of profiles.
-- The opening of a report names what happened; its first 1,500 characters bound the work.
DELETE FROM document_terms WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]));
INSERT INTO document_terms BY NAME
SELECT doc_id, term, count(*) AS n, NULL::DOUBLE AS weight
FROM (
    SELECT doc_id, unnest(regexp_extract_all(lower(left(text, 1500)), '[a-z][a-z]{2,}')) AS term
    FROM documents
    WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
)
GROUP BY ALL;
