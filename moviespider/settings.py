# Scrapy settings for moviespider, in the order of Scrapy's project template; project settings
# (DOUBAN_*, …) follow. Each value that differs from Scrapy's default says why, in one line.
# Defaults live only here: components read them through moviespider/config.py, which
# `scrapy crawl` runs over all of them before the crawl starts.
# https://docs.scrapy.org/en/latest/topics/settings.html

BOT_NAME = "moviespider"

SPIDER_MODULES = ["moviespider.spiders"]
NEWSPIDER_MODULE = "moviespider.spiders"

# default Scrapy's commands: ours check arguments and settings first, one error line, exit 2.
COMMANDS_MODULE = "moviespider.commands"

ADDONS = {
    # `-s DOUBAN_SANDBOX=1` starts the local Douban look-alike; applies DOUBAN_PROFILE.
    "moviespider.addons.profiles.MoviespiderAddon": 0,
    # `-s PLAYWRIGHT_ENABLED=1` renders the pages a spider marks in a browser (docs/playwright.md).
    "moviespider.addons.playwright.PlaywrightAddon": 10,
    # `-s DISTRIBUTED=redis://…` shares the crawl's frontier in Redis (docs/distributed.md).
    "moviespider.addons.distributed.DistributedAddon": 20,
}

# default "Scrapy/VERSION (+https://scrapy.org)": we present a desktop browser, Douban 418s that.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)

# template default: Douban's robots.txt allows the pages we crawl.
ROBOTSTXT_OBEY = True

# default 16: Douban blocks many connections; DOUBAN_PROFILE="fast" raises them.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# default 0: two seconds a request (randomised) is what Douban tolerates for long crawls.
DOWNLOAD_DELAY = 2

# default 180: a Douban page that has not arrived in 30 s will not; retry it instead.
DOWNLOAD_TIMEOUT = 30

# default True, kept: Douban sets a `bid` cookie and expects it back.
COOKIES_ENABLED = True

# default off: we follow Douban's response times, never below DOWNLOAD_DELAY.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# default 1 GiB / 32 MiB: the largest real Douban page is 161 KB; a bigger response, or a gzip
# bomb decompressing past it, is refused and listed as failed (docs/blocking.md).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# default 2: Douban's transient 5xx and resets pass quickly, so a third try is cheap.
RETRY_TIMES = 3

# Blocks are recognised before anything reads a response; the order is in docs/blocking.md.
DOWNLOADER_MIDDLEWARES = {
    # Just outside RetryMiddleware (550): reports what it gives up on to FailedPages.
    "moviespider.middlewares.giveups.ReportGiveUps": 540,
    # Above RetryMiddleware: a failed proxy is rested before the retry picks a session.
    "moviespider.middlewares.sessions.SessionMiddleware": 560,
    # default 600: below decompression (590), so BlockMiddleware sees redirects to challenges.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 585,
    # A redirect to a subject page passes the duplicate filter: a merged film reaches the spider.
    "moviespider.middlewares.redirects.FollowSubjectRedirects": 586,
    # Replaced by ours, which decodes only pages that say "refresh".
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "moviespider.middlewares.metarefresh.MetaRefreshMiddleware": 580,
    # Sees redirects before they are followed and ban pages decompressed.
    "moviespider.middlewares.blocks.BlockMiddleware": 587,
    # Scrapy's, plus listing a page refused for decompressing past DOWNLOAD_MAXSIZE as failed.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "moviespider.middlewares.giveups.HttpCompressionMiddleware": 590,
}

ITEM_PIPELINES = {
    # First: numbers each item, so a request is finished only once its items are durable in
    # every sink (moviespider.durability, docs/resume.md).
    "moviespider.durability.NumberItems": 0,
    "moviespider.pipelines.validate.ValidateMovie": 100,
    "moviespider.pipelines.duplicates.DropDuplicates": 200,
    # Off unless DOWNLOAD_POSTERS; before storage, so that the stored film has its poster_path.
    "moviespider.pipelines.posters.DownloadPosters": 250,
    # After the others: stores what they made of the film (docs/storage.md).
    "moviespider.pipelines.storage.StoreMovies": 300,
    # Spidermon's item validation against the Movie JSON Schema (moviespider/schema.py), which is
    # also what `scrapy schema` publishes; errors are counted in spidermon/validation/* stats.
    "moviespider.pipelines.schema.SampledItemValidation": 900,
    # Last but one: counts the fields of every item that leaves the pipelines for FieldCoverage.
    "moviespider.pipelines.fieldcount.CountFields": 1000,
    # Always last: exports each item and counts item_scraped_count, in place of Scrapy's
    # item_scraped receivers (FEED_FROM_PIPELINE; docs/performance.md).
    "moviespider.pipelines.feed.HandToFeed": 1100,
}

# default DEBUG, which logs every page and every whole film: -L DEBUG brings them back.
LOG_LEVEL = "INFO"
# default True: the raw stats come after the outcome summary, at CLOSE_STATS_LOG_LEVEL.
STATS_DUMP = False

# default True (ours): the last pipeline hands items to the feed, not the item_scraped signal.
FEED_FROM_PIPELINE = True

# default Scrapy's, which logs a dropped item's every field: ours logs the reason in one line.
LOG_FORMATTER = "moviespider.logformatter.LogFormatter"

# default None, which escapes Chinese as \uXXXX: feeds are readable UTF-8.
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy's default, set explicitly: async callbacks, the sandbox and Playwright need asyncio.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# default on: both run any code in the crawl for whoever has its password (docs/performance.md).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- moviespider ------------------------------------------------------------------------------

# Every URL is built from this (a mirror or the sandbox may stand in); items keep Douban's URL.
DOUBAN_BASE_URL = "https://movie.douban.com"

# 1: start the sandbox for this crawl and use the "fast" profile; ARGS are its options.
DOUBAN_SANDBOX = False
DOUBAN_SANDBOX_ARGS = ""

# "polite" (the values above, for Douban) or "fast" (a sandbox or mirror); -s settings win.
DOUBAN_PROFILE = "polite"

# The date "MM月DD日" upcoming dates are read against (YYYY-MM-DD); None: today in China.
DOUBAN_REFERENCE_DATE = None

# Films in the Top250 list: 250 on Douban; the sandbox can serve longer lists for benchmarks.
DOUBAN_TOP250_SIZE = 250

# douban_catalog: what keeps each film once, at most max_films (Redis's when distributed).
CATALOG_FILM_BUDGET = "moviespider.spiders.douban_catalog.LocalFilmBudget"

# --- Losing nothing: failed pages, field coverage, progress (docs/resume.md) -----------------

EXTENSIONS = {
    # Replaced by Progress: the same periodic line plus blocks and an ETA, or a live bar.
    "scrapy.extensions.logstats.LogStats": None,
    "moviespider.extensions.progress.Progress": 0,
    "moviespider.extensions.coverage.FieldCoverage": 500,
    "moviespider.extensions.failures.FailedPages": 500,
    # With JOBDIR: refuses, in one line and before any request, a job this spider cannot resume.
    "moviespider.extensions.jobcheck.JobCheck": 0,
    # GC_THRESHOLD, below.
    "moviespider.extensions.garbage.GCThreshold": 0,
    # Scrapy's, but a feed that cannot be written stops the crawl at once (reason feed_failed)
    # instead of a traceback per film.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "moviespider.extensions.feeds.FeedExporter": 0,
    # Decides the crawl's outcome and exit status (README, "Exit status") and logs a summary.
    "moviespider.extensions.outcome.CrawlOutcome": 0,
    # After CrawlOutcome (0), FieldCoverage and FailedPages (500): when the engine stops it
    # reads what they found.
    "moviespider.extensions.timeline.CrawlTimeline": 900,
    # Spidermon runs the monitors of SPIDERMON_ENGINE_STOP_MONITORS when the engine stops, after
    # the extensions above; Alerts sends what they found.
    # (Spidermon's extension, logging each failed monitor in one line: moviespider/monitors/.)
    "moviespider.monitors.extension.Monitors": 950,
    "moviespider.monitors.alerts.Alerts": 960,
}

# A crawl that gives up on more than this share (0–1) of its pages ends "incomplete" (exit 6).
INCOMPLETE_FAILED_SHARE = 0.1
# The level of the raw Scrapy stats logged at close, after the summary (INFO: in every log).
CLOSE_STATS_LOG_LEVEL = "DEBUG"

# The pages given up on (TSV); None: beside the first local feed, else failed_urls.tsv.
FAILED_URLS_FILE = None

# The share of items (0–1) that must have a field, else the crawl ends "field_coverage_low".
COVERAGE_THRESHOLDS = {"title": 0.99, "year": 0.9, "genres": 0.9}
COVERAGE_MIN_ITEMS = 20

# None: a live bar when stderr is a terminal, else a log line; True/False force it.
PROGRESS_BAR = None
PROGRESS_BAR_REFRESH = 0.5

# --- The HTML report (moviespider/reports/, README "Reports and alerts") ----------------------

# A path: when the crawl ends, write its HTML report there (one self-contained file);
# %(name)s, %(crawl_id)s and %(time)s are filled in (e.g. reports/%(name)s-%(time)s.html).
# `scrapy report` writes the report of any stored crawl later.
REPORT = None
# Seconds between the samples of the crawl's timeline (requests, items, retries, blocks over
# time), stored with the crawl for the report. 0 switches the timeline, and REPORT, off.
TIMELINE_INTERVAL = 1.0

# --- Monitors and alerts (moviespider/monitors/, README "Reports and alerts") ----------------

# Spidermon runs these when the engine stops, after CrawlOutcome has decided the exit status.
# The exit status stays what cron and CI read; the monitors add a message and a channel.
SPIDERMON_ENABLED = True
SPIDERMON_ENGINE_STOP_MONITORS = ["moviespider.monitors.suites.CrawlMonitors"]
# Items are checked against the published Movie schema; any error fails a monitor.
SPIDERMON_VALIDATION_SCHEMAS = ["moviespider.schema.MOVIE_SCHEMA"]
# One item in this many (the first included); 1 checks all, for about a tenth more CPU.
SCHEMA_VALIDATION_SAMPLE = 10
SPIDERMON_MAX_ITEM_VALIDATION_ERRORS = 0
# Items: at least this share of the spider's expected_items (Top250: the list size), or
# MONITOR_MIN_ITEMS when the spider expects no number.
MONITOR_ITEMS_SHARE = 0.9
MONITOR_MIN_ITEMS = 1
# The close reasons that pass.
MONITOR_FINISH_REASONS = ["finished"]
# Shares of requests: pages given up on, download errors and callback exceptions; of responses:
# blocks.
MONITOR_MAX_FAILED_SHARE = 0.05
MONITOR_MAX_ERROR_SHARE = 0.1
MONITOR_MAX_BLOCKED_SHARE = 0.2

# Where alerts go when a monitor fails. Email: to ALERT_EMAIL_TO (a list) from ALERT_EMAIL_FROM
# through ALERT_SMTP_HOST; a login comes from the ALERT_SMTP_USER and ALERT_SMTP_PASSWORD
# environment variables only. Webhook: the ALERT_WEBHOOK_URL environment variable only (the
# URL holds its token); its format is guessed from the host (discord.com, api.telegram.org,
# else Slack's {"text": ...}) unless ALERT_WEBHOOK_FORMAT says "slack", "discord" or
# "telegram" (which needs ALERT_TELEGRAM_CHAT_ID).
ALERT_EMAIL_TO = []
ALERT_EMAIL_FROM = None
ALERT_SMTP_HOST = None
ALERT_SMTP_PORT = 25
ALERT_SMTP_STARTTLS = False
ALERT_WEBHOOK_FORMAT = None
ALERT_TELEGRAM_CHAT_ID = None

# --- A JOBDIR that survives SIGKILL (moviespider/jobdir/, docs/resume.md) ---------------------

# default Scrapy's, saved only on a graceful stop: ours journals every unfinished request.
SCHEDULER = "moviespider.jobdir.scheduler.CrashSafeScheduler"
# default RFPDupeFilter, which buffers requests.seen until close: ours writes it through.
DUPEFILTER_CLASS = "moviespider.jobdir.dupefilter.FlushingDupeFilter"
# default over the full URL: ours ignores DOUBAN_BASE_URL, so a job survives a new base URL.
REQUEST_FINGERPRINTER_CLASS = "moviespider.jobdir.dupefilter.SiteRelativeFingerprinter"
# default FileFeedStorage, buffered: ours writes through and appends on resume (JSON Lines).
FEED_STORAGES = {
    "": "moviespider.jobdir.feedstorage.AppendingFileFeedStorage",
    "file": "moviespider.jobdir.feedstorage.AppendingFileFeedStorage",
}

# --- Distributed crawls (docs/distributed.md) -------------------------------------------------

# A Redis URL (redis://host:6379/0): workers with the same one and DISTRIBUTED_CRAWL share one
# frontier through scrapy-redis. None: one process, resumable with JOBDIR.
DISTRIBUTED = None
# The frontier's name in Redis (its keys' prefix); None: the spider's name.
DISTRIBUTED_CRAWL = None
# Seconds a worker holds a request without renewing (every third of it): a killed worker's
# requests come back after this long.
DISTRIBUTED_LEASE = 60
# Seconds of Redis outage a worker rides out on what it holds before pausing until it is back.
DISTRIBUTED_OUTAGE_PAUSE = 30
# True: queue the spider's start requests in the frontier and crawl nothing (scrapy frontier seed).
DISTRIBUTED_SEED_ONLY = False

# --- moviespider: staying unblocked (moviespider/middlewares/, docs/blocking.md) --------------

# Retries with a fresh session of a page Douban blocks, before it is given up and listed.
DOUBAN_BLOCK_RETRY_TIMES = 3
# Fresh sessions blocked in a row after which the spider closes with reason "banned".
DOUBAN_MAX_BLOCKS = 6
# Seconds the crawl pauses after a block, doubling in a row up to the maximum, randomised.
DOUBAN_BLOCK_BACKOFF = 30
DOUBAN_BLOCK_BACKOFF_MAX = 600

# Sessions (bid cookie + user agent + proxy) taking turns; None: one, or one per proxy.
DOUBAN_SESSIONS = None
# The user agents sessions choose from (with -s, a JSON list); empty: a built-in list.
DOUBAN_USER_AGENTS = []
# Log-in cookies come from the DOUBAN_COOKIES environment variable only: Scrapy logs settings.

# A file of proxy URLs, one a line (or the PROXY_LIST environment variable) to rotate through.
PROXY_LIST = None
# Seconds a blocked or failed proxy rests, doubling up to the maximum while it keeps failing.
DOUBAN_PROXY_REST = 60
DOUBAN_PROXY_REST_MAX = 1800

# --- storage (docs/storage.md) ------------------------------------------------------------------

# Where crawls accumulate; the DATABASE_URL environment variable wins (and alone may hold a
# password); empty switches storage off.
DATABASE_URL = "sqlite:///moviespider.sqlite3"
# Films written this many at a time, at least every INTERVAL seconds, off the reactor thread.
# One commit per 1,000 films rather than per 100 cut the storage's CPU by a third
# (docs/performance.md, "The storage write path").
DATABASE_BATCH_SIZE = 1000
DATABASE_FLUSH_INTERVAL = 5.0
# Films the database still refuses at close, as JSON lines (docs/storage.md); %(name)s spider,
# %(crawl_id)s crawl. None: beside the first local feed (films.unsaved.jsonl), else the JOBDIR.
DATABASE_UNSAVED_FILE = None

# 1: store each film's poster (and thumbnails) under IMAGES_STORE and set poster_path.
DOWNLOAD_POSTERS = False
IMAGES_STORE = "posters"
# Douban's list posters are about 135×200; the thumbnail suits a table of films.
IMAGES_THUMBS = {"small": (68, 100)}
# Fetch posters from here instead of poster_url's host, keeping the path (a mirror of them).
DOUBAN_IMAGE_BASE_URL = None

# 1: render the pages that need JavaScript in Chromium (docs/playwright.md); off: a browser costs.
PLAYWRIGHT_ENABLED = False

# --- performance (what each bought: docs/performance.md) ----------------------------------------

# default asyncio's loop: uvloop's is cheaper per request; only settings.py can choose it.
ASYNCIO_EVENT_LOOP = "uvloop.Loop"

# default 100: Scrapy starts that many tasks per response; 25 is a list page's films.
CONCURRENT_ITEMS = 25

# default Scrapy's ItemPipelineManager: the same pipelines, a shorter path between them.
ITEM_PROCESSOR = "moviespider.itemprocessor.ItemPipelines"

# default Python's (700, 10, 10) while the crawl runs: fewer full collections; empty keeps them.
GC_THRESHOLD = (7000, 10, 10)

# `scrapy check -s DOUBAN_SANDBOX=1`: @site takes a path on DOUBAN_BASE_URL (@url needs it whole).
SPIDER_CONTRACTS = {"moviespider.contracts.SiteContract": 10}

# default Scrapy's, reading each field through ItemAdapter: ours read a Movie's fields directly.
FEED_EXPORTERS = {
    "json": "moviespider.exporters.JsonItemExporter",
    "jsonlines": "moviespider.exporters.JsonLinesItemExporter",
    "jsonl": "moviespider.exporters.JsonLinesItemExporter",
    "jl": "moviespider.exporters.JsonLinesItemExporter",
    "csv": "moviespider.exporters.CsvItemExporter",
    # default: Scrapy's, which writes a missing value as the text "None"; ours, an empty element.
    "xml": "moviespider.exporters.XmlItemExporter",
}

# default (Scrapy): off. A CSV cell starting with = + - @ (or tab, CR) is run as a formula by
# spreadsheets (CSV injection); on, it is written with a leading ' , which they show as text.
# JSON, XML and the database keep every value as it is. 0 writes CSV cells unchanged.
CSV_SPREADSHEET_SAFE = True
