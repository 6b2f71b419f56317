"""Errors a user can fix: reported in one line, with a non-zero exit, never as a traceback."""


class ConfigError(ValueError):
    """A spider argument or a setting has a value moviespider cannot use.

    The message names the argument or setting and says what is expected, e.g.
    ``argument ids: '12a' is not a Douban subject id (digits only)``. Raise it from a spider's
    ``__init__`` or a component's ``from_crawler``: the crawl stops before any request and
    ``scrapy crawl`` prints ``moviespider: error: <message>`` and exits with status 2.
    """
