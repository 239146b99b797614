-- Question: which entities were most in the news on 2017-09-20?
-- Uses the top_entities(day, n) macro: ranked by documents mentioning them, then mentions.
SELECT rank, name, label, country_code, n_documents, n_mentions
FROM top_entities('2017-09-20', n := 5)
ORDER BY rank;
