"""The clients moviespider is measured against, each written the way its authors would.

Every peer fetches the same Top250-style list pages from the sandbox and extracts the same
fields per film (``common.film_record`` turns the selected strings into one JSON object, so
the peers differ only in how they fetch and select). Each is a script run by the benchmark as
``python -m moviespider_bench.peers.NAME BASE_URL --pages N --concurrency C --output FILE
--report FILE``, except ``naive_scrapy``, a spider file for ``scrapy runspider``.
"""
