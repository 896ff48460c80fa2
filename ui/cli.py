"""`rag serve`: the chat page's command (registered by rag.cli; gradio is imported only when it runs)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder (default: the shipped briefing's index, built on first use).")
def serve(host: str, port: int, index_dir: Path | None) -> None:
    """Start the chat page."""
    raise click.ClickException("The chat page is not built yet.")
