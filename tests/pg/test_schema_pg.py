from flask import Flask

from pos import demo
from pos.extensions import db
from pos.models import Product, StockMovement, User
from tests.conftest import make_app
from tests.schema_check import pending_diff


def test_migrations_upgrade_and_match_the_models_on_postgresql(pg_url: str) -> None:
    app: Flask = make_app(pg_url)
    assert pending_diff(app) == []
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert demo.seed() is True
        db.session.commit()
        assert demo.seed() is False
        assert db.session.query(Product).count() >= 40
        assert db.session.query(User).count() == len(demo.demo_logins())
        # money and quantities are BIGINT on PostgreSQL
        price_type = db.session.execute(
            db.text(
                "select data_type from information_schema.columns "
                "where table_name = 'product' and column_name = 'price'"
            )
        ).scalar()
        assert price_type == "bigint"
        movement = db.session.scalars(db.select(StockMovement).limit(1)).one()
        assert movement.created_at.tzinfo is not None
    with app.app_context():
        db.engine.dispose()
