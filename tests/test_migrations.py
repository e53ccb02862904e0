"""The migrations build exactly the models' schema, and come back down, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from eventday.extensions import db
from tests.conftest import make_app


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(database_url):
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        assert {"editions", "rooms", "tracks", "speakers", "sessions"} <= set(
            inspect(db.engine).get_table_names()
        )

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_seed_demo_runs_on_the_migrated_schema(database_url):
    app = make_app(database_url)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "already exists" in again.output

    quiet = runner.invoke(args=["seed-demo", "--if-no-edition"])
    assert quiet.exit_code == 0
    assert "already has an edition" in quiet.output
    with app.app_context():
        db.engine.dispose()
