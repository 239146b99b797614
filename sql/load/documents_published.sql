-- The publisher and publication date of the documents $doc_ids: all a cluster's row reads of
-- its members' documents (clusters.cluster_row), without their stored profiles' entities and words.
SELECT doc_id, publisher, published_at
FROM documents
WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]));
