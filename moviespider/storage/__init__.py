"""The database every crawl adds to: tables, the writer and the history queries.

Nothing here imports a database driver or connects at import time; Scrapyd imports the project
for every job.
"""
