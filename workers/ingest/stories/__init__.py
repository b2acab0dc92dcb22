"""Stories: which event an article reports. `story` decides (pure, text in, decisions out);
`store_stories` writes a poll's stories inside the store step's own transaction;
`maintain_stories` merges and rebuilds them for the maintenance task and the CLI.

- `story`: features and the join-or-start decision (pure)
- `store_stories`: candidate stories from the index, written with the articles
- `maintain_stories`: merging converged stories, re-clustering a window
"""
