"""Spidermon monitors run at close (suites.py) and the alerts they send (alerts.py)."""
