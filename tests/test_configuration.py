"""Configuration: defaults < instance/config.py < EVENTDAY_* environment; secret key; bad URLs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventday import create_app


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("EVENTDAY_INSTANCE_PATH", str(folder))
    monkeypatch.setenv("EVENTDAY_DATABASE_URL", f"sqlite:///{tmp_path / 'config-test.sqlite3'}")
    for name in ("EVENTDAY_PUBLIC_URL", "EVENTDAY_SECRET_KEY", "EVENTDAY_MAIL_PORT"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_environment_overrides_instance_config_which_overrides_defaults(instance, monkeypatch):
    (instance / "config.py").write_text(
        'PUBLIC_URL = "https://from-instance.example.org"\nMAIL_PORT = 2525\n'
    )
    monkeypatch.setenv("EVENTDAY_PUBLIC_URL", "https://from-environment.example.org")
    app = create_app()
    assert app.config["PUBLIC_URL"] == "https://from-environment.example.org"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["MAIL_USE_TLS"] is False
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"


def test_environment_values_are_typed(instance, monkeypatch):
    monkeypatch.setenv("EVENTDAY_MAIL_PORT", "587")
    monkeypatch.setenv("EVENTDAY_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["MAIL_PORT"] == 587
    assert app.config["RATELIMIT_ENABLED"] is False


def test_secret_key_is_created_once_and_kept_private(instance):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 64
    assert key_file.stat().st_mode & 0o077 == 0


def test_secret_key_from_environment_wins(instance, monkeypatch):
    monkeypatch.setenv("EVENTDAY_SECRET_KEY", "a-key-given-by-the-operator")
    assert create_app().config["SECRET_KEY"] == "a-key-given-by-the-operator"
    assert not (instance / "secret_key").exists()


def test_default_database_is_a_sqlite_file_in_the_instance_folder(instance, monkeypatch):
    monkeypatch.delenv("EVENTDAY_DATABASE_URL")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'eventday.sqlite3'}"


@pytest.mark.parametrize(
    "url", ["not a url", "nosuchdb://user@host/db", "postgresql+nosuchdriver://localhost/x"]
)
def test_bad_database_url_stops_with_one_clear_line(instance, monkeypatch, url):
    monkeypatch.setenv("EVENTDAY_DATABASE_URL", url)
    with pytest.raises(SystemExit) as stopped:
        create_app()
    message = str(stopped.value)
    assert message.startswith("eventday: EVENTDAY_DATABASE_URL is not a usable database URL")
    assert "\n" not in message


def test_bad_database_url_on_the_command_line_prints_no_traceback(instance):
    env = {**os.environ, "EVENTDAY_DATABASE_URL": "nosuchdb://localhost/x"}
    command = Path(sys.executable).parent / "eventday"
    result = subprocess.run(
        [str(command), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "EVENTDAY_DATABASE_URL" in lines[0]
