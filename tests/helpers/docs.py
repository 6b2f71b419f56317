"""The shell commands of the docs, which tests run as written."""

from __future__ import annotations

import re


def documented_commands(markdown: str, language: str = "sh") -> list[str]:
    """The commands of a markdown text's ```sh blocks, continuation lines joined."""
    commands = []
    for block in re.findall(rf"^```{language}\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL):
        for command in re.sub(r"\\\n\s*", "", block).splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                commands.append(command.strip())
    return commands
