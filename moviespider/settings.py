# Scrapy settings for moviespider.
#
# Keeps the order of Scrapy's project template. Every value that differs from Scrapy's default
# says why. Project-specific settings (DOUBAN_*, …) follow at the end.
#
#     https://docs.scrapy.org/en/latest/topics/settings.html

BOT_NAME = "moviespider"

SPIDER_MODULES = ["moviespider.spiders"]
NEWSPIDER_MODULE = "moviespider.spiders"

# `scrapy crawl` is ours: it checks spider arguments and settings before the crawl starts and
# reports a bad one in a single line with exit status 2 instead of a traceback.
COMMANDS_MODULE = "moviespider.commands"

ADDONS = {
    # Starts the local Douban look-alike for `-s DOUBAN_SANDBOX=1` and applies DOUBAN_PROFILE.
    "moviespider.addons.MoviespiderAddon": 0,
}

# default: "Scrapy/VERSION (+https://scrapy.org)". Douban answers 418 to that, so we present a
# current desktop browser.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)

# Obey robots.txt rules (template default). Douban's robots.txt allows the pages we crawl.
ROBOTSTXT_OBEY = True

# default: 16. Douban blocks clients that open many connections; the crawl is bounded by Douban's
# block threshold, not by our CPU. Raise these only against a mirror or the sandbox (see README,
# "Concurrency") or use DOUBAN_PROFILE = "fast".
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# default: 0 (template: 1). Two seconds between requests to one site, randomised 0.5–1.5× by
# RANDOMIZE_DOWNLOAD_DELAY, is what Douban tolerates for long crawls.
DOWNLOAD_DELAY = 2

# default: 180. A Douban page that has not arrived in 30 s will not arrive: retry it instead.
DOWNLOAD_TIMEOUT = 30

# default: True. Douban sets a `bid` cookie and expects it back; keep cookies on.
COOKIES_ENABLED = True

# default: off. AutoThrottle adapts the delay to Douban's response times and never goes below
# DOWNLOAD_DELAY.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# default: 2 retries. Douban's transient 5xx and resets pass quickly; a third try is cheap.
RETRY_TIMES = 3

ITEM_PIPELINES = {
    "moviespider.pipelines.validate.ValidateMovie": 100,
    "moviespider.pipelines.duplicates.DropDuplicates": 200,
}

# default: Scrapy's, which logs a dropped item's every field over many lines. Ours logs the reason
# in one line (the pipelines count drops in stats).
LOG_FORMATTER = "moviespider.logformatter.LogFormatter"

# default: None, which escapes Chinese as \uXXXX in JSON. Feeds are readable UTF-8.
FEED_EXPORT_ENCODING = "utf-8"

# Set explicitly (it is also 2.19's default): `async def` callbacks and the sandbox, the
# Playwright handler and async database drivers all need the asyncio reactor.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- moviespider ------------------------------------------------------------------------------

# Every URL the spiders request is built from this. Point it at a mirror, a recording or the
# sandbox; items keep the canonical https://movie.douban.com/subject/<id>/ URL.
DOUBAN_BASE_URL = "https://movie.douban.com"

# 1: start the sandbox (python -m moviespider.sandbox) for this crawl on a free port, point
# DOUBAN_BASE_URL at it and use the "fast" profile. DOUBAN_SANDBOX_ARGS passes options to it,
# e.g. "--catalog 2000 --latency 0.2".
DOUBAN_SANDBOX = False
DOUBAN_SANDBOX_ARGS = ""

# "polite" (the values above, for the real Douban) or "fast" (for the sandbox or a mirror you
# own: no delay, no AutoThrottle, higher concurrency). Settings given with -s always win.
DOUBAN_PROFILE = "polite"

# The date the upcoming list's "MM月DD日" dates are read against (YYYY-MM-DD); default: today
# in China Standard Time, where the list is published.
DOUBAN_REFERENCE_DATE = None

# How many ranked films the Top250 list holds: 250 on Douban. The sandbox ranks its whole catalog,
# so benchmarks can ask for longer lists.
DOUBAN_TOP250_SIZE = 250

# --- performance (measured: docs/performance.md) ------------------------------------------------

# default: None (asyncio's own loop). uvloop's is faster per request; it has to be chosen here,
# before the reactor starts (add-ons and profiles cannot change it).
ASYNCIO_EVENT_LOOP = "uvloop.Loop"

# default: Scrapy's exporters, which read each field through ItemAdapter. Ours write a Movie's
# fields directly, with the same output (moviespider/exporters.py).
FEED_EXPORTERS = {
    "json": "moviespider.exporters.JsonItemExporter",
    "jsonlines": "moviespider.exporters.JsonLinesItemExporter",
    "jsonl": "moviespider.exporters.JsonLinesItemExporter",
    "jl": "moviespider.exporters.JsonLinesItemExporter",
    "csv": "moviespider.exporters.CsvItemExporter",
}
