"""Full text for summary-only feeds, run by the `workers.fetch_full_text` task after the poll
that stored the article: `pipeline` decides and runs the job, `pages` fetches politely
(robots.txt, the guarded client), `extract` finds the main text (pure).

- `pipeline`: the job's steps: wants_full_text, fetch, extract
- `pages`: robots.txt, then the page, through the feeds' guarded client
- `extract`: trafilatura in precision mode, sanitised (pure)
"""
