"""config/followup.toml is validated like the rest of config/: each problem names file, key and reason."""
from __future__ import annotations

import pytest

from dispatch.street.config import ConfigError, load_config


def test_the_shipped_rules(config_dir):
    rules = load_config(config_dir).followup
    assert (rules.limit, rules.rate("committee"), rules.rate("open311"), rules.rate("api"), rules.rate("web"),
            rules.rate("phone")) == ("3 WD", 1.0, 1.0, 0.2, 0.2, 0.0)


def test_a_folder_without_the_file_gets_the_shipped_values(config_dir):
    (config_dir / "followup.toml").unlink()
    rules = load_config(config_dir).followup
    assert (rules.limit, rules.rate("committee"), rules.rate("api")) == ("3 WD", 1.0, 0.2)


@pytest.mark.parametrize("text, key, words", [
    ('limit = "3 XX"', "limit", "unknown limit unit 'XX'"),                       # a limit the deadlines cannot count
    ("[rates]\napi = 1.5", "rates", "rate of 'api' must be a number from 0 to 1"),  # more than every ticket
    ("[rates]\n\"Open 311\" = 1.0", "rates", "source 'Open 311' must be"),          # not a tickets.source value
    ("default_rate = -0.1", "default_rate", "greater than or equal to 0"),
    ("sample = 0.2", "sample", "Extra inputs are not permitted"),                  # a misspelt key is not ignored
])
def test_a_bad_file_names_the_key_and_the_reason(config_dir, text, key, words):
    (config_dir / "followup.toml").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    found = [(p.file, p.key, p.reason) for p in caught.value.problems]
    assert any(f == "followup.toml" and k == key and words in r for f, k, r in found), found


def test_check_config_prints_it(config_dir, capsys, monkeypatch, tmp_path):
    from dispatch.cli import main

    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    (config_dir / "followup.toml").write_text("[rates]\ncommittee = 2\n", encoding="utf-8")
    assert main(["check-config"]) == 1
    assert "followup.toml: rates: rate of 'committee' must be a number from 0 to 1" in capsys.readouterr().out
