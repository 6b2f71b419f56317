"""The HTML report of a crawl: gathered (build.py), drawn (charts.py), laid out (render.py)."""
