"""Arabic-aware search over published articles, on PostgreSQL and on SQLite.

- `normalise`, `stopwords`: the normaliser every text and query goes through;
- `query`: the reader's query parsed (web search syntax);
- `documents`, `index`, `signals`: what is indexed of each article, and how
  the index is kept current;
- `postgres`, `sqlite`, `backends`: each database's index and search;
- `results`: `search_articles`, what the search page calls, and `present`;
- `form`: the page's parameters checked, with a sentence for each problem;
- `highlight`: marking the words found, whole words only.
"""
