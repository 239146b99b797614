-- The last doc_id of each chunk of $docs_per_chunk documents, in doc_id order: entity resolution
-- reads the warehouse one chunk at a time.
WITH numbered AS (
    SELECT doc_id, (row_number() OVER (ORDER BY doc_id) - 1) // $docs_per_chunk AS chunk
    FROM documents
),

final AS (
    SELECT chunk, max(doc_id) AS last_doc_id
    FROM numbered
    GROUP BY chunk
)

SELECT last_doc_id
FROM final
ORDER BY chunk;
