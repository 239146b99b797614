-- Before a full clustering: no cluster, pair or block (document profiles are kept unless
-- $fresh_profiles, say after a full entity resolution: they hold
-- the corpus statistics of the run that loaded each document).
UPDATE events SET cluster_id = NULL;
DELETE FROM event_clusters;
DELETE FROM event_pairs;
DELETE FROM event_blocks;
DELETE FROM document_profiles WHERE $fresh_profiles;
DELETE FROM document_terms WHERE $fresh_profiles;
