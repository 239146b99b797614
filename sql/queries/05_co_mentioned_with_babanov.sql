-- Question: which entities are mentioned together with Babanov, and how closely?
-- Uses the co_mentioned(name_or_alias) macro: shared documents and shared sentences.
SELECT name, label, n_documents, n_sentences
FROM co_mentioned('Babanov')
ORDER BY n_documents DESC, n_sentences DESC, name
LIMIT 10;
