"""`Settings.from_env`: defaults, then RAG_* environment variables, then explicit overrides."""

import dataclasses

import pytest

from rag import Settings
from rag.errors import SettingsError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in dataclasses.fields(Settings):
        monkeypatch.delenv(f"RAG_{field.name.upper()}", raising=False)


def test_without_environment_it_is_the_defaults() -> None:
    assert Settings.from_env() == Settings()


def test_each_type_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_TOKENS", "120")
    monkeypatch.setenv("RAG_DENSE_WEIGHT", "0.5")
    monkeypatch.setenv("RAG_MIN_CONFIDENCE", "0.4")
    monkeypatch.setenv("RAG_MODEL", "/models/other")
    monkeypatch.setenv("RAG_FUSION", "rrf")
    settings = Settings.from_env()
    assert (settings.max_tokens, settings.dense_weight, settings.min_confidence) == (120, 0.5, 0.4)
    assert (settings.model, settings.fusion) == ("/models/other", "rrf")
    assert Settings().min_confidence is None


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
                                            ("0", False), ("false", False), ("No", False), ("off", False)])
def test_bools(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("RAG_LIGHT_QUERIES", raw)
    assert Settings.from_env().light_queries is value


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("RAG_MAX_TOKENS", "many", "RAG_MAX_TOKENS='many' is not a valid int"),
        ("RAG_DENSE_WEIGHT", "heavy", "RAG_DENSE_WEIGHT='heavy' is not a valid float"),
        ("RAG_LIGHT_QUERIES", "maybe", "RAG_LIGHT_QUERIES='maybe' is not a valid bool"),
        ("RAG_MAX_TOKENS", "8", "max_tokens of 8 is too small"),
        ("RAG_K", "0", "k must be 1 or more"),
        ("RAG_FUSION", "max", "fusion must be 'rrf' or 'weighted'"),
        ("RAG_DENSE_WEIGHT", "1.5", r"dense_weight must lie in \[0, 1\]"),
    ],
)
def test_bad_values_are_refused_by_name(monkeypatch: pytest.MonkeyPatch, name: str, raw: str, message: str) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(SettingsError, match=message):
        Settings.from_env()


def test_overrides_beat_the_environment_and_none_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_TOKENS", "120")
    monkeypatch.setenv("RAG_MODEL", "env-model")
    settings = Settings.from_env(max_tokens=100, model=None)
    assert settings.max_tokens == 100 and settings.model == "env-model"


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().k = 3  # type: ignore[misc]
