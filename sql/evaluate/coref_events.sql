-- Events with their raw trigger span and cluster: what `newsetl eval coref` matches to gold.
SELECT event_id, doc_id, raw_start_char, raw_end_char, cluster_id
FROM events
ORDER BY doc_id, raw_start_char, event_id;
