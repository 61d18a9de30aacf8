"""``python -m matchmaking ...``: the same as the ``matchmaking`` script."""

from matchmaking.cli import main

main()
