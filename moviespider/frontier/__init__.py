"""Distributed crawls on scrapy-redis: one Redis frontier, many workers, leases.

See docs/distributed.md.
"""
