"""`flask db upgrade` reaches head from an empty database, and models match migrations."""

import pytest
import sqlalchemy as sa
from flask_migrate import check, upgrade

from expo import create_app
from tests.conftest import base_config


def _upgrade_and_check(app):
    with app.app_context():
        upgrade()
        check()  # raises when the models and the migrations differ
        from expo.extensions import db

        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "events", "event_roles", "api_tokens", "audit_entries"} <= tables
        version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
        db.engine.dispose()
        return version


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def test_upgrade_from_empty_reaches_head_on_sqlite_without_drift(tmp_path):
    app = create_app(base_config(tmp_path / "instance", f"sqlite:///{tmp_path / 'm.sqlite'}"))
    assert _upgrade_and_check(app) == _head()


@pytest.mark.postgres
def test_upgrade_from_empty_reaches_head_on_postgresql_without_drift(tmp_path, pg_url):
    app = create_app(base_config(tmp_path / "instance", pg_url))
    assert _upgrade_and_check(app) == _head()
