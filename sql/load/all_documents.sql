-- Every document id, in order: a full resolution resolves them all.
SELECT doc_id FROM documents ORDER BY doc_id;
