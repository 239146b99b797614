-- Question: who reported the meeting (PLOVER CONSULT) between Nazarbayev and Babanov?
-- Uses the who_reported(event_type, name_or_alias) macro: one row per event cluster and
-- publisher; the clusters kept are the CONSULT events of Nazarbayev that also involve Babanov.
SELECT cluster_id, event_date, n_publishers, publisher, n_event_mentions, triggers, doc_ids
FROM who_reported('CONSULT', 'Nazarbayev')
WHERE cluster_id IN (SELECT cluster_id FROM who_reported('CONSULT', 'Babanov'))
ORDER BY n_publishers DESC, event_date, cluster_id, publisher;
