"""``python -m matchmaking.cli ...``: the same as the ``matchmaking`` script."""

from matchmaking.cli import main

main()
