"""Shared fixtures: the real bundled model, loaded once per session; indexes built in tmp folders."""

from __future__ import annotations

import os

from rag.settings import OFFLINE_ENV

for _key, _value in {**OFFLINE_ENV, "OPENBLAS_NUM_THREADS": "1"}.items():
    os.environ.setdefault(_key, _value)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from rag import Assistant, Index, Settings, build_index  # noqa: E402
from rag.embed import Embedder  # noqa: E402
from rag.settings import DEFAULT_CORPUS  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    return Embedder(settings)


@pytest.fixture(scope="session")
def briefing_index(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    """The shipped briefing, indexed once for the session in its own tmp folder."""
    return build_index([DEFAULT_CORPUS], tmp_path_factory.mktemp("index"), settings, embedder, progress=False)


@pytest.fixture(scope="session")
def assistant(briefing_index: Index, settings: Settings, embedder: Embedder) -> Assistant:
    return Assistant(briefing_index, settings=settings, embedder=embedder)


@pytest.fixture
def corpus_text() -> str:
    return Path(DEFAULT_CORPUS).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def format_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped briefing in every format (tests/formats.py), written once per session, by format name."""
    from formats import FORMATS, write_format  # tests/formats.py

    root = tmp_path_factory.mktemp("formats")
    return {name: write_format(name, root / name) for name in FORMATS}
