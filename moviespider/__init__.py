"""moviespider: a Scrapy project that crawls Douban Movie."""

__version__ = "0.1.0"
