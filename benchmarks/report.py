"""The two-column ``measure | value`` table that several benchmarks print."""

from __future__ import annotations


def print_measures(rows: list[tuple[str, str]], *, markdown: bool = False) -> None:
    """Print ``(measure, value)`` rows, aligned, as plain columns or a Markdown table."""
    width = max(len(k) for k, _ in rows)
    if markdown:
        print(f"| {'measure':<{width}} | value |")
        print(f"|{'-' * (width + 2)}|-------|")
        for k, v in rows:
            print(f"| {k:<{width}} | {v} |")
        return
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
