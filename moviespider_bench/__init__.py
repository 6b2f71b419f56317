"""The moviespider benchmark: ``python -m moviespider_bench`` (see docs/performance.md).

Starts the sandbox in a process of its own, runs each client (the real spiders through
``scrapy crawl``, and the peers in ``moviespider_bench.peers``) as a subprocess against it, and
measures every run from outside: wall time and the user+sys CPU and peak RSS of the client
process. Each client also reports its own crawl time (first request to last item), so process
start-up is not counted as crawling. Nothing here is imported by the spiders.
"""
