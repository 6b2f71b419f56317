"""Add-ons: crawl profiles and the in-crawl sandbox (``profiles``), the browser (``playwright``)."""
