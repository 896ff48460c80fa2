"""`rag eval` and `rag bench` (registered by rag.cli; heavy imports happen only when they run)."""

from __future__ import annotations

import click


@click.command("eval")
def eval_command() -> None:
    """Score retrieval and answers on the gold questions."""
    raise click.ClickException("The eval suite is not built yet.")


@click.command("bench")
def bench_command() -> None:
    """Measure speed and scale."""
    raise click.ClickException("The benchmark is not built yet.")
