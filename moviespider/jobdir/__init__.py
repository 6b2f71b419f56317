"""A JOBDIR that survives SIGKILL: resume after a hard crash, not only after Ctrl-C.

Split by kind: the request journal (``journal``), the scheduler that keeps it
(``scheduler``), the seen-set and its fingerprints (``dupefilter``) and the feed storage that
writes through (``feedstorage``). What each guarantees, and why Scrapy's own JOBDIR does not:
docs/resume.md.
"""
