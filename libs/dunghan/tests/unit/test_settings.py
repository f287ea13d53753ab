"""The one reader of the environment: each field by its type and metadata, booleans read one way."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from dunghan.settings import ServiceSettings, setting
from dunghan.web.pages.settings import PagesSettings


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be positive")
    return value


@dataclass(frozen=True)
class Example(ServiceSettings):
    ENV_PREFIX: ClassVar[str] = "EXAMPLE_"
    port: int = 8123
    window_seconds: float = setting(60.0, check=_positive)
    notices_file: str | None = setting(None, env="CALENDAR_NOTICES_FILE")
    skew_seconds: float | None = setting(None, unset=300.0)
    gsm7: bool = True
    pages: PagesSettings = field(default_factory=PagesSettings)


def test_unset_variables_keep_the_defaults_and_a_redeclared_field_keeps_its_variable() -> None:
    s = Example.from_env({})
    assert (s.port, s.window_seconds, s.notices_file, s.skew_seconds, s.migrate) == (8123, 60.0, None, 300.0, True)
    assert Example.from_env({"PORT": "9000"}).port == 9000
    assert Example.env_name("port") == "PORT" and Example.env_name("migrate") == "EXAMPLE_MIGRATE"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("true", True), ("Yes", True), ("on", True),
                                            ("0", False), ("false", False), ("no", False), ("OFF", False),
                                            ("", False)])
def test_every_boolean_is_read_one_way(raw: str, value: bool) -> None:
    assert Example.from_env({"EXAMPLE_MIGRATE": raw, "EXAMPLE_GSM7": raw}).migrate is value


def test_a_value_that_does_not_parse_stops_the_start_naming_the_variable() -> None:
    for env in ({"EXAMPLE_MIGRATE": "maybe"}, {"PORT": "eighty"}, {"EXAMPLE_WINDOW_SECONDS": "-1"}):
        with pytest.raises(ValueError, match=next(iter(env))):
            Example.from_env(env)


def test_an_empty_optional_value_is_none_and_nested_settings_read_the_same_mapping() -> None:
    s = Example.from_env({"CALENDAR_NOTICES_FILE": "", "EXAMPLE_SKEW_SECONDS": "",
                          "PAGES_DEV_LOGIN": "1", "PAGES_EXTERNAL_URL": "https://x.example/"})
    assert (s.notices_file, s.skew_seconds) == (None, None)
    assert s.pages.dev_login and s.pages.enabled and s.pages.external_url == "https://x.example"
