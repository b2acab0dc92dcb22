"""Stories: which event an article reports. `story` decides (pure, text in, decisions out);
`store_stories` writes a poll's stories inside the store step's own transaction, and
rebuilds or merges them for the maintenance task and the CLI.

- `story`: features and the join-or-start decision (pure)
- `store_stories`: candidate stories from the index, written with the articles
"""
