"""The fenced blocks of a Markdown document, and the shell commands in its ```sh blocks."""
from __future__ import annotations

import re
from pathlib import Path

# The environment of a fresh login shell, where a newcomer types the docs' commands: the system's
# PATH and nothing of AWS or of the service (add HOME, and only the variables the docs set).
NEWCOMER_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def fenced_blocks(path: Path, kind: str) -> list[str]:
    """The bodies of the ```<kind> blocks, in order."""
    return re.findall(rf"```{kind}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def shell_commands(block: str) -> list[str]:
    """The commands of one ```sh block: continuations joined, comments dropped, spaces collapsed."""
    joined = block.replace("\\\n", " ")
    commands = [re.sub(r"\s+#.*$", "", line) for line in joined.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    return [" ".join(command.split()) for command in commands]


def documented_commands(path: Path) -> list[str]:
    """Every shell command the document shows, in order."""
    return [command for block in fenced_blocks(path, "sh") for command in shell_commands(block)]
