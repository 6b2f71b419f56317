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
    # Off unless DOWNLOAD_POSTERS; before storage, so that the stored film has its poster_path.
    "moviespider.pipelines.posters.DownloadPosters": 250,
    # Last, so that it stores what the other pipelines made of the film (docs/storage.md).
    "moviespider.pipelines.storage.StoreMovies": 300,
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
