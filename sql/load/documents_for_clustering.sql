-- Publisher of each document: event clusters count the distinct publishers that report them.
SELECT doc_id, publisher
FROM documents
ORDER BY doc_id;
