"""Wording shared by the log lines and commands."""


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 page``, ``3 pages``: a count with its noun in the right number."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
