"""Run the ``matchmaking`` CLI in-process, as the CLI tests do."""

from __future__ import annotations

import pytest

from matchmaking.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``matchmaking ARGS``."""
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
