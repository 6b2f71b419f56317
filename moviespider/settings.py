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
    "moviespider.addons.profiles.MoviespiderAddon": 0,
    # `-s PLAYWRIGHT_ENABLED=1` renders the pages a spider marks in a browser (docs/playwright.md).
    "moviespider.addons.playwright.PlaywrightAddon": 10,
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

# Douban's blocks are recognised before anything else reads a response (see
# moviespider/middlewares/blocks.py); sessions give each request its bid cookie, user agent and
# proxy. RedirectMiddleware moves from 600 to 585, below HttpCompressionMiddleware (590), so that
# BlockMiddleware (587) sees a redirect to the challenge or log-in page before it is followed
# and reads ban pages decompressed. SessionMiddleware sits above RetryMiddleware (550) so a
# failed proxy is rested before the retry picks a session.
DOWNLOADER_MIDDLEWARES = {
    # Just outside RetryMiddleware (550): reports what it gives up on to FailedPages.
    "moviespider.middlewares.giveups.ReportGiveUps": 540,
    "moviespider.middlewares.sessions.SessionMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 585,
    # Just above it: a redirect to a subject page passes the duplicate filter (a merged film's
    # redirect to one already crawled must reach the spider).
    "moviespider.middlewares.redirects.FollowSubjectRedirects": 586,
    # Scrapy's, minus decoding every page that has no "refresh" in it (moviespider/middlewares/
    # metarefresh.py).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "moviespider.middlewares.metarefresh.MetaRefreshMiddleware": 580,
    "moviespider.middlewares.blocks.BlockMiddleware": 587,
}

ITEM_PIPELINES = {
    "moviespider.pipelines.validate.ValidateMovie": 100,
    "moviespider.pipelines.duplicates.DropDuplicates": 200,
    # Off unless DOWNLOAD_POSTERS; before storage, so that the stored film has its poster_path.
    "moviespider.pipelines.posters.DownloadPosters": 250,
    # Last, so that it stores what the other pipelines made of the film (docs/storage.md).
    "moviespider.pipelines.storage.StoreMovies": 300,
    # Spidermon's item validation against the Movie JSON Schema (moviespider/schema.py), which is
    # also what `scrapy schema` publishes; errors are counted in spidermon/validation/* stats.
    "spidermon.contrib.scrapy.pipelines.ItemValidationPipeline": 900,
    # Always last: counts the fields of every item that leaves the pipelines for FieldCoverage.
    "moviespider.pipelines.fieldcount.CountFields": 1000,
}

# default: Scrapy's, which logs a dropped item's every field over many lines. Ours logs the reason
# in one line (the pipelines count drops in stats).
LOG_FORMATTER = "moviespider.logformatter.LogFormatter"

# default: None, which escapes Chinese as \uXXXX in JSON. Feeds are readable UTF-8.
FEED_EXPORT_ENCODING = "utf-8"

# Set explicitly (it is also 2.19's default): `async def` callbacks and the sandbox, the
# Playwright handler and async database drivers all need the asyncio reactor.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# default: both on. Scrapy's telnet console and 2.19's remote-control HTTP server each run any
# Python code inside the crawl for whoever holds the password (which Scrapy logs at INFO, so it
# lands in every Scrapyd log) or the token (in a file under the user's home). A crawler on a
# shared host should not open them. -s TELNETCONSOLE_ENABLED=1 or -s REMOTE_CONTROL_ENABLED=1
# to inspect a live crawl on your own machine.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- moviespider ------------------------------------------------------------------------------

# Every URL the spiders request is built from this. Point it at a mirror, a recording or the
# sandbox; items keep the canonical https://movie.douban.com/subject/<id>/ URL.
DOUBAN_BASE_URL = "https://movie.douban.com"

# 1: start the sandbox (python -m douban_sandbox) for this crawl on a free port, point
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

# douban_catalog: what decides which films the crawl still takes (each once, at most max_films):
# this process's memory; the distributed frontier replaces it with one shared in Redis.
CATALOG_FILM_BUDGET = "moviespider.spiders.douban_catalog.LocalFilmBudget"

# --- Losing nothing: failed pages, field coverage, progress -----------------------------------

EXTENSIONS = {
    # Replaced by Progress: the same periodic line plus blocks and an ETA, or a live bar when
    # stderr is a terminal.
    "scrapy.extensions.logstats.LogStats": None,
    "moviespider.extensions.progress.Progress": 0,
    "moviespider.extensions.coverage.FieldCoverage": 500,
    "moviespider.extensions.failures.FailedPages": 500,
    # With JOBDIR: refuses, in one line and before any request, a job this spider cannot resume.
    "moviespider.extensions.jobcheck.JobCheck": 0,
    # GC_THRESHOLD, below.
    "moviespider.extensions.garbage.GCThreshold": 0,
    # After FieldCoverage and FailedPages (500): at close it reads what they found.
    "moviespider.extensions.timeline.CrawlTimeline": 900,
    # Spidermon runs the monitors of SPIDERMON_SPIDER_CLOSE_MONITORS at close, after the
    # extensions above have put their figures in the stats; Alerts sends what they found.
    # (Spidermon's extension, logging each failed monitor in one line: moviespider/monitors/.)
    "moviespider.monitors.extension.Monitors": 950,
    "moviespider.monitors.alerts.Alerts": 960,
}

# Where the pages given up on are listed (TSV: url, last status, error, time), for
# `scrapy crawl douban_subject -a ids_file=FILE`. Default (None): beside the first local feed,
# films.jl → films.failed.tsv; failed_urls.tsv without a feed.
FAILED_URLS_FILE = None

# The share of items (0–1) that must have a field, else the crawl logs an error naming it and
# ends with reason "field_coverage_low". A spider adds its own key fields with a
# `coverage_thresholds` attribute. Below COVERAGE_MIN_ITEMS items, shares are only logged.
COVERAGE_THRESHOLDS = {"title": 0.99, "year": 0.9, "genres": 0.9}
COVERAGE_MIN_ITEMS = 20

# None: a live progress bar when stderr is a terminal, a log line every LOGSTATS_INTERVAL
# seconds otherwise. True/False force the bar on or off.
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

# Spidermon runs these at close. The exit status (`scrapy crawl` exits 3 on a failed close
# reason) stays what cron and CI read; the monitors add a message and a channel.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["moviespider.monitors.suites.CrawlMonitors"]
# Every item is checked against the published Movie schema; any error fails a monitor.
SPIDERMON_VALIDATION_SCHEMAS = ["moviespider.schema.MOVIE_SCHEMA"]
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

# default: scrapy.core.scheduler.Scheduler, whose JOBDIR queues are only saved on a graceful
# stop. Ours journals every unfinished request (in flight too) in JOBDIR/requests.journal.
SCHEDULER = "moviespider.jobdir.scheduler.CrashSafeScheduler"
# default: scrapy.dupefilters.RFPDupeFilter, which buffers requests.seen until close.
DUPEFILTER_CLASS = "moviespider.jobdir.dupefilter.FlushingDupeFilter"
# default: Scrapy's, over the full URL. Ours reads URLs as if DOUBAN_BASE_URL were
# movie.douban.com, so a job's seen-set holds when the base URL changes between runs.
REQUEST_FINGERPRINTER_CLASS = "moviespider.jobdir.dupefilter.SiteRelativeFingerprinter"
# default: FileFeedStorage, buffered. Ours writes each item through, and stops a resumed job
# from overwriting (-O) or appending to a feed format that cannot be resumed (use JSON Lines).
FEED_STORAGES = {
    "": "moviespider.jobdir.feedstorage.AppendingFileFeedStorage",
    "file": "moviespider.jobdir.feedstorage.AppendingFileFeedStorage",
}

# --- moviespider: staying unblocked (moviespider/middlewares/, README "When Douban blocks you") --

# A request Douban blocks is retried with a fresh session this many times, then given up and
# listed as failed.
DOUBAN_BLOCK_RETRY_TIMES = 3
# After this many fresh sessions blocked in a row (no page served in between) Douban is refusing
# the IP itself: the spider closes with reason "banned".
DOUBAN_MAX_BLOCKS = 6
# Seconds the whole crawl pauses after a block, doubling with each block in a row up to the
# maximum, randomised 0.5-1×: with the values here, Douban gets 8 to 15 minutes to relent before
# the crawl closes as banned.
DOUBAN_BLOCK_BACKOFF = 30
DOUBAN_BLOCK_BACKOFF_MAX = 600

# How many sessions (bid cookie + user agent + proxy) take turns. None: one, or one per proxy.
DOUBAN_SESSIONS = None
# The user agents sessions choose from; empty: a built-in list of current desktop browsers
# (moviespider.middlewares.sessions.DEFAULT_USER_AGENTS).
DOUBAN_USER_AGENTS = []
# Log-in cookies are read from the DOUBAN_COOKIES environment variable, never from a setting:
# Scrapy logs settings.

# A file of proxy URLs (http://[user:password@]host:port), one a line, to rotate through; or
# leave it unset and put the URLs in the PROXY_LIST environment variable. Without either, the
# standard http_proxy/https_proxy environment variables still apply.
PROXY_LIST = None
# Seconds a proxy that was blocked or failed rests before it is used again, doubling up to the
# maximum while it keeps failing.
DOUBAN_PROXY_REST = 60
DOUBAN_PROXY_REST_MAX = 1800

# --- storage (docs/storage.md) ------------------------------------------------------------------

# Where every crawl's films accumulate (tables movies, observations, crawls). The DATABASE_URL
# environment variable wins over this setting and is the only place for a URL with a password
# (settings files, command lines and Scrapyd job arguments are not secret). Empty switches
# storage off. PostgreSQL: postgresql+psycopg://user@host/db; MySQL/MariaDB:
# mysql+pymysql://user@host/db.
DATABASE_URL = "sqlite:///moviespider.sqlite3"
# Films are written DATABASE_BATCH_SIZE at a time, and at least every DATABASE_FLUSH_INTERVAL
# seconds, on a thread of the pipeline's own, so the crawl never waits for the database.
DATABASE_BATCH_SIZE = 100
DATABASE_FLUSH_INTERVAL = 5.0
# Films the database still refuses when the spider closes (after retries) are written here, one
# JSON object per line with its crawl_id. %(name)s is the spider, %(crawl_id)s the crawl.
DATABASE_UNSAVED_FILE = "moviespider-unsaved-%(name)s-%(crawl_id)s.jl"

# 1: store each film's poster under IMAGES_STORE (full/<subject_id>.jpg, and a thumbnail per
# IMAGES_THUMBS under thumbs/<name>/) and set the film's poster_path. Needs Pillow.
DOWNLOAD_POSTERS = False
IMAGES_STORE = "posters"
# Douban's list posters are about 135×200; the thumbnail suits a table of films.
IMAGES_THUMBS = {"small": (68, 100)}
# Download posters from here instead of the host in poster_url (Douban's image hosts), keeping
# the path: a mirror or recording of them. The item's poster_url does not change. The sandbox's
# pages already point at the sandbox's own posters, so it needs none.
DOUBAN_IMAGE_BASE_URL = None

# 1: render the pages that need JavaScript in Chromium with scrapy-playwright
# (moviespider.addons.playwright, docs/playwright.md). Off: Douban's pages are server-rendered
# today, and the browser costs memory and speed. PLAYWRIGHT_EXECUTABLE_PATH picks the Chromium
# to drive (default: Playwright's own if installed, else the system's /usr/bin/chromium).
PLAYWRIGHT_ENABLED = False

# --- performance (measured: docs/performance.md) ------------------------------------------------

# default: None (asyncio's own loop). uvloop's is faster per request; it has to be chosen here,
# before the reactor starts (add-ons and profiles cannot change it).
ASYNCIO_EVENT_LOOP = "uvloop.Loop"

# default: 100. Scrapy starts this many item workers (asyncio tasks) for every response, however
# few items it yields: 0.48 ms per response at 100, 0.17 at 25 (measured). 25 is a list page's
# films; only poster downloads (and storage, when the database falls behind) wait inside the
# pipelines, and 25 at once per page is plenty.
CONCURRENT_ITEMS = 25

# Python's garbage collector thresholds while the crawl runs (default: Python's 700, 10, 10,
# with which collections took a tenth of the crawl's CPU). Empty keeps Python's
# (moviespider/extensions/garbage.py).
GC_THRESHOLD = (7000, 10, 10)

# default: Scrapy's exporters, which read each field through ItemAdapter. Ours write a Movie's
# fields directly, with the same output (moviespider/exporters.py).
FEED_EXPORTERS = {
    "json": "moviespider.exporters.JsonItemExporter",
    "jsonlines": "moviespider.exporters.JsonLinesItemExporter",
    "jsonl": "moviespider.exporters.JsonLinesItemExporter",
    "jl": "moviespider.exporters.JsonLinesItemExporter",
    "csv": "moviespider.exporters.CsvItemExporter",
}
