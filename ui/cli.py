"""`rag serve`: the chat page's command (joins `rag` through the `briefing_qa.commands` entry point; gradio is
imported only when it runs)."""

from __future__ import annotations

from pathlib import Path

import click

from rag.cli import llm_options, warn_remote
from ui.net import is_loopback


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:pass` as a pair; the password may itself contain colons.

    Example:
        >>> parse_auth("ann:s3:cret")
        ('ann', 's3:cret')
    """
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise click.BadParameter("give it as USER:PASS, e.g. --auth ann:correct-horse", param_hint="--auth")
    return user, password


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder (default: the shipped briefing's index, built on first use).")
@click.option("--auth", metavar="USER:PASS", default=None, help="Require this login (Gradio's own auth).")
@llm_options
def serve(host: str, port: int, index_dir: Path | None, auth: str | None, llm_url: str | None,
          llm_model: str | None) -> None:
    """Start the chat page (no share link, no analytics, nothing fetched from the internet).

    With a model server (--llm-url), the page offers a "Written answer (local model)" switch.
    """
    from rag import Settings

    # read once, here; the index and the assistant both get this one
    settings = Settings.from_env(llm_url=llm_url, llm_model=llm_model)
    warn_remote(settings)
    credentials = parse_auth(auth)
    if not is_loopback(host):
        click.secho(f"Warning: binding to {host} makes the page reachable from other machines"
                    f"{'' if credentials else '; consider --auth USER:PASS'}.", fg="yellow", err=True)
    import faiss

    from ui.app import serve as run

    faiss.omp_set_num_threads(1)  # one query at a time per request: a second thread only contends (rag bench)

    run(host, port, index_dir, credentials, settings)
