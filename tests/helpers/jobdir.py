"""A job's runs without an engine: the crash-safe scheduler over a JOBDIR, requests in progress."""

from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from moviespider.jobdir.scheduler import CrashSafeScheduler

SANDBOX = "http://127.0.0.1:8001"
DUPEFILTER = "moviespider.jobdir.dupefilter"


class FilmSpider(Spider):
    name = "films"

    def parse_details(self, response, listed):
        pass


class FakeEngineRequests:
    """moviespider.internals.EngineRequests over a set the test fills."""

    def __init__(self, requests):
        self.requests = requests

    def in_progress(self):
        return self.requests


class Run:
    """One run of a job: a scheduler over JOBDIR, and the engine's set of requests in progress."""

    def __init__(self, jobdir, base_url=SANDBOX):
        self.crawler = get_crawler(
            FilmSpider,
            {
                "JOBDIR": str(jobdir),
                "DOUBAN_BASE_URL": base_url,
                "DUPEFILTER_CLASS": f"{DUPEFILTER}.FlushingDupeFilter",
                "REQUEST_FINGERPRINTER_CLASS": f"{DUPEFILTER}.SiteRelativeFingerprinter",
                # Scrapy's default queue asks the engine's downloader for slots; no engine here.
                "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
            },
        )
        self.crawler.stats.open_spider()
        self.spider = FilmSpider.from_crawler(self.crawler)
        self.crawler.spider = self.spider
        self.in_progress = set()
        self.scheduler = CrashSafeScheduler.from_crawler(self.crawler)
        self.scheduler.engine_requests = lambda crawler: FakeEngineRequests(self.in_progress)
        self.scheduler.open(self.spider)

    def request(self, subject_id, base_url=SANDBOX):
        return Request(
            f"{base_url}/subject/{subject_id}/",
            callback=self.spider.parse_details,
            cb_kwargs={"listed": {"subject_id": subject_id}},
        )

    def schedule(self, *subject_ids):
        return [self.scheduler.enqueue_request(self.request(i)) for i in subject_ids]

    def start_next(self):
        """The engine takes the next request and starts it."""
        request = self.scheduler.next_request()
        self.in_progress.add(request)
        return request

    def finish(self, request):
        self.in_progress.remove(request)

    def drain(self):
        """Every request the scheduler hands out, in order, as the next run would fetch them."""
        requests = []
        while (request := self.scheduler.next_request()) is not None:
            requests.append(request)
        return requests
