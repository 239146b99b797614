-- Schema version 2: every table gets its contract key as a primary key (version 1 had keys on
-- documents and runs only). Fails, and the run with it, if a table holds duplicate keys.
ALTER TABLE sentences ADD PRIMARY KEY (doc_id, sentence_idx);
ALTER TABLE date_mentions ADD PRIMARY KEY (date_mention_id);
ALTER TABLE entity_mentions ADD PRIMARY KEY (mention_id);
ALTER TABLE entities ADD PRIMARY KEY (entity_id);
ALTER TABLE entity_aliases ADD PRIMARY KEY (entity_id, alias);
ALTER TABLE events ADD PRIMARY KEY (event_id);
ALTER TABLE event_clusters ADD PRIMARY KEY (cluster_id);
ALTER TABLE quarantine ADD PRIMARY KEY (source_uri, run_id);
