import os
import stat

import pytest

from expo import create_app
from expo.config import ConfigError, build


def test_secret_key_is_generated_into_the_instance_folder_with_mode_0600(tmp_path):
    config = build(tmp_path, {}, environ={})
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == config["SECRET_KEY"]
    assert len(config["SECRET_KEY"]) >= 48
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_the_generated_secret_key_is_kept_between_starts(tmp_path):
    first = build(tmp_path, {}, environ={})["SECRET_KEY"]
    assert build(tmp_path, {}, environ={})["SECRET_KEY"] == first


@pytest.mark.parametrize("weak", ["dev", "changeme", "short-but-random-x"])
def test_production_refuses_a_weak_or_default_secret_key(tmp_path, weak):
    with pytest.raises(ConfigError, match="EXPO_SECRET_KEY"):
        build(tmp_path, {}, environ={"EXPO_ENV": "production", "EXPO_SECRET_KEY": weak})


def test_production_starts_with_a_strong_secret_and_secure_cookies(tmp_path):
    config = build(tmp_path, {}, environ={"EXPO_ENV": "production", "EXPO_SECRET_KEY": "k" * 20 +
                                          "9f8e7d6c5b4a39281706f5e4"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_settings_come_from_the_environment(tmp_path):
    config = build(tmp_path, {}, environ={"EXPO_DATABASE_URL": "postgresql+psycopg://db/expo",
                                          "EXPO_MAIL_PORT": "2525",
                                          "EXPO_MAIL_USE_TLS": "true"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/expo"
    assert config["MAIL_PORT"] == 2525
    assert config["MAIL_USE_TLS"] is True


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = build(tmp_path, {}, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'expo.sqlite'}"


def test_sqlite_foreign_keys_are_enforced(app, db):
    assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1


def test_create_app_reads_overrides(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40, "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.testing
