"""The ``kmp-pos`` command: demo, serve, users, outlets (plus Flask-Migrate's ``db``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from flask.cli import FlaskGroup, with_appcontext

from pos.core.clock import DEFAULT_TIMEZONE
from pos.roles import ROLE_VALUES

if TYPE_CHECKING:
    from flask import Flask


# Request threads of a served worker. Its Python runs on one core at a time (the GIL), and a till's write runs in
# the outlet's one write turn: each thread beyond a few only shares that core with the writer, so every till
# queued behind it waits longer (bench/outlet_node.py, 8 tills at full speed, against one bare app: scan p99
# 7.8–9.0× its p99 with 3 threads, 9.5–13.4× with 4, 11.4–14.5× with 8). Idle keep-alive connections wait in
# gunicorn's poller, not in a thread; a long export holds one.
THREADS = 3


def _create_app(migrations: bool = True) -> Flask:
    from pos.app import create_app

    return create_app(migrations=migrations)


class _Commands(FlaskGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        # Our own commands before Flask's plugin commands (Flask-Migrate's ``db`` loads Alembic and SQLAlchemy:
        # 25 MB that the server's master would keep for nothing).
        return click.Group.get_command(self, ctx, name) or super().get_command(ctx, name)


@click.group(cls=_Commands, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """KMP POS — point of sale for Koperasi Merah Putih outlets."""


def _serve(
    build: Callable[[], Flask],
    host: str,
    port: int,
    workers: int,
    threads: int,
    background_sync: bool = False,
    on_start: Callable[[Flask], None] | None = None,
) -> None:
    """Run gunicorn here, each worker serving the app ``build()`` returns, built in the worker after the fork.

    The master only watches the workers: holding the application as well (built before the fork to share its
    pages copy-on-write) cost more than it saved once the worker was busy — every object the worker touches
    has its reference count written, which copies the page, and the master's 80 MB stayed resident beside it
    (``bench/outlet_node.py``: the node's PSS at 100,000 products with 8 tills selling, 186 MB against 145 MB
    with the app built only in the worker)."""
    from gunicorn.app.base import BaseApplication

    from pos.runtime import building, limit_malloc_arenas, settle_heap

    built: list[Flask] = []

    def load() -> Flask:
        building()
        app = build()
        settle_heap()  # in the worker: the start-up heap out of the collector's reach
        built.append(app)
        return app

    def started(worker: object) -> None:
        if on_start is not None and getattr(worker, "age", 1) == 1:  # once a start: the first worker spawned
            on_start(built[0])
        _worker_started(built[0], background_sync)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)
            # In the worker, after the fork: each process keeps its own database connections and threads.
            self.cfg.set("post_worker_init", started)

        def load(self) -> Flask:
            return load()

    limit_malloc_arenas()  # inherited by the workers
    Server().run()


def _warn_shared_limits(workers: int, storage: str) -> None:
    if workers > 1 and storage.startswith("memory://"):
        click.echo(
            f"warning: {workers} workers with rate limits in memory: each worker counts on its own. "
            "Set POS_RATELIMIT_STORAGE=redis://… so that every worker shares one count.",
            err=True,
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--threads", default=THREADS, show_default=True, type=int)
@click.option(
    "--sync/--no-sync",
    "background_sync",
    default=None,
    help="Run the sync worker in the background (default: on when POS_ROLE=outlet and POS_CENTRAL_URL is set).",
)
def serve_command(host: str, port: int, workers: int, threads: int, background_sync: bool | None) -> None:
    """Serve the app with gunicorn (after applying migrations)."""
    from pos import config, migration_state

    settings = config.settings()  # read here without building the app: that is the worker's
    if not migration_state.up_to_date(str(settings["SQLALCHEMY_DATABASE_URI"])):
        _upgrade_apart()
    if background_sync is None:
        background_sync = settings["POS_ROLE"] == "outlet" and bool(settings["POS_CENTRAL_URL"])
    _warn_shared_limits(workers, str(settings.get("RATELIMIT_STORAGE_URI", "")))
    on_start = _printing_interrupted if settings["POS_ROLE"] != "central" else None
    _serve(
        lambda: _create_app(migrations=False),
        host,
        port,
        workers,
        threads,
        background_sync=bool(background_sync),
        on_start=on_start,
    )


def _upgrade_apart() -> None:
    """Apply the migrations in a process of its own, so the server's master never loads the app and Alembic."""
    import subprocess

    upgrading = subprocess.run([sys.executable, "-c", "from pos.cli import _upgrade; _upgrade()"], check=False)
    if upgrading.returncode != 0:
        raise click.ClickException("the database could not be upgraded (see the error above); nothing is served")


def _upgrade() -> None:
    from flask_migrate import upgrade

    from pos.app import use_migrations

    app = _create_app(migrations=False)
    use_migrations(app)
    with app.app_context():
        upgrade()


def _printing_interrupted(app: Flask) -> None:
    from pos.receipts import spool

    with app.app_context():
        spool.interrupted()  # what the node was printing when it stopped may have printed: a person decides


def _worker_started(app: Flask, background_sync: bool) -> None:
    from pos.runtime import checkpoint_in_background, trim_in_background

    checkpoint_in_background(app)
    trim_in_background()
    from pos.node import backup

    backup.in_background(app)
    if background_sync:
        _sync_in_background(app)
    if app.config.get("POS_ROLE") != "central":
        from pos.receipts import spool

        spool.spooler(app).wake()  # receipts queued just before a restart still print (for ten minutes)


def _sync_in_background(app: Flask) -> None:
    import threading

    from pos.sync import worker

    def loop() -> None:
        with app.app_context():
            worker.run(interval=15, log=app.logger.info)

    threading.Thread(target=loop, name="kmp-sync", daemon=True).start()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only create and seed the database.")
@click.option(
    "--on-central", is_flag=True, help="Seed a central server too (a training server: its logins are public)."
)
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool, on_central: bool) -> None:
    """Create the database, seed the demo data (once, on an empty database) and serve it."""
    from flask import current_app
    from flask_migrate import upgrade

    from pos import demo as demo_service
    from pos.extensions import db

    if current_app.config["POS_ROLE"] == "central" and not on_central:
        raise click.ClickException(
            "this server is central (POS_ROLE=central) and the demo's logins are public: "
            "seed a separate training database, or pass --on-central if this is one"
        )
    upgrade()
    foreign = demo_service.foreign_data()
    if foreign:
        held = ", ".join(f"{n} {name}" for name, n in foreign.items())
        raise click.ClickException(
            f"this database already holds data that is not the demo's ({held}); nothing was added. "
            "Run the demo on an empty database, e.g. DATABASE_URL=sqlite:///demo.sqlite3 kmp-pos demo"
        )
    created = demo_service.seed()
    db.session.commit()
    click.echo("Demo data created." if created else "Demo data was already there; nothing added.")
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(f"KMP POS demo: {url}")
    click.echo(
        "WARNING: these logins are public (printed here and in the README); never sell for real on this database."
    )
    click.echo("Logins (cashiers tap their name on the login page and type the PIN):")
    for login in demo_service.demo_logins():
        kind = "PIN" if login.kind == "pin" else "password"
        click.echo(f"  {login.role.value:<12} {login.username:<10} {kind} {login.secret}")
    click.echo(f"  manager PIN (approvals): {demo_service.MANAGER_PIN}")
    sys.stdout.flush()
    if not no_serve:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        _serve(lambda: app, host, port, 1, THREADS)


@click.group("users")
def users_group() -> None:
    """Manage users."""


def _secret_from(option: str | None, env_name: str, prompt: str) -> str | None:
    if option == "-":
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if option:
        value = os.environ.get(env_name)
        if not value:
            raise click.BadParameter(f"set {env_name} in the environment, or pass '-' to type it")
        return value
    return None


def _done(work: object) -> None:
    """Run an onboarding operation: committed when it succeeds, its refusal said in one line (nothing written)."""
    from pos.core.errors import PosError
    from pos.extensions import db

    try:
        message = work()  # type: ignore[operator]
    except PosError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(message)


def _find(model_name: str, code: str | None) -> int | None:
    """The id of the cooperative, outlet or investor with this code (None when no code is given)."""
    from pos import models
    from pos.extensions import db

    if not code:
        return None
    model = getattr(models, model_name)
    found = db.session.scalar(db.select(model.id).where(model.code == code.strip().upper()))
    if found is None:
        raise click.ClickException(f"no {model_name.lower()} {code!r}")
    return found


@users_group.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(ROLE_VALUES), required=True)
@click.option("--outlet", "outlet_code", help="Outlet code (cashier, manager).")
@click.option("--cooperative", "cooperative_code", help="Cooperative code (board).")
@click.option("--investor", "investor_code", help="Investor code (investor).")
@click.option("--password", "password_from", help="'-' to type it, 'env' to read POS_NEW_PASSWORD.")
@click.option("--pin", "pin_from", help="'-' to type it, 'env' to read POS_NEW_PIN.")
@with_appcontext
def users_create(
    username: str,
    full_name: str,
    role: str,
    outlet_code: str | None,
    cooperative_code: str | None,
    investor_code: str | None,
    password_from: str | None,
    pin_from: str | None,
) -> None:
    """Create a user with a password and/or a PIN (a manager's PIN approves voids, refunds and discounts)."""
    from pos.onboarding import organisations
    from pos.roles import Role

    data = organisations.AccountData(
        username=username,
        full_name=full_name,
        role=Role(role),
        outlet_id=_find("Outlet", outlet_code),
        cooperative_id=_find("Cooperative", cooperative_code),
        investor_id=_find("Investor", investor_code),
        password=_secret_from(password_from, "POS_NEW_PASSWORD", "Password"),
        pin=_secret_from(pin_from, "POS_NEW_PIN", "PIN"),
    )
    _done(lambda: f"created {role} {organisations.create_user(data, None).username}")


@click.group("outlets")
def outlets_group() -> None:
    """Manage cooperatives, outlets and their registers."""


@outlets_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--cooperative", "cooperative_code", required=True)
@click.option("--cooperative-name", help="Create the cooperative with this name if it is new.")
@click.option("--address", default="")
@click.option("--timezone", default=DEFAULT_TIMEZONE, show_default=True)
@with_appcontext
def outlets_create(
    code: str,
    name: str,
    cooperative_code: str,
    cooperative_name: str | None,
    address: str,
    timezone: str,
) -> None:
    """Create an outlet with its first register, KASIR-1 (and its cooperative when --cooperative-name is given)."""
    from pos.extensions import db
    from pos.models import Cooperative
    from pos.onboarding import organisations

    def work() -> str:
        coop_id = db.session.scalar(db.select(Cooperative.id).where(Cooperative.code == cooperative_code.upper()))
        if coop_id is None:
            if not cooperative_name:
                raise click.ClickException(f"no cooperative {cooperative_code!r}; add --cooperative-name to create it")
            coop_id = organisations.create_cooperative(
                organisations.CooperativeData(cooperative_code, cooperative_name), None
            ).id
        outlet = organisations.create_outlet(organisations.OutletData(code, name, coop_id, address, timezone), None)
        return f"created outlet {outlet.code} with register {organisations.FIRST_REGISTER[0]}"

    _done(work)


@click.group("cooperatives")
def cooperatives_group() -> None:
    """Manage cooperatives (their outlets: `outlets create`)."""


@cooperatives_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--region", default="")
@click.option("--address", default="")
@click.option("--chair", default="")
@with_appcontext
def cooperatives_create(code: str, name: str, region: str, address: str, chair: str) -> None:
    """Create a cooperative."""
    from pos.onboarding import organisations

    data = organisations.CooperativeData(code, name, region, address, chair)
    _done(lambda: f"created cooperative {organisations.create_cooperative(data, None).code}")


@outlets_group.command("register")
@click.argument("outlet_code")
@click.argument("code")
@click.option("--name", required=True)
@with_appcontext
def outlets_register(outlet_code: str, code: str, name: str) -> None:
    """Add a register (a till) to an outlet."""
    from pos.extensions import db
    from pos.models import Outlet
    from pos.onboarding import organisations

    outlet = db.session.get(Outlet, _find("Outlet", outlet_code))
    _done(lambda: f"added register {organisations.create_register(outlet, code, name, None).code}")


@click.group("investors")
def investors_group() -> None:
    """Manage investors (their logins: `users create --role investor`)."""


@investors_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--contact", default="")
@click.option("--phone", default="")
@click.option("--address", default="")
@with_appcontext
def investors_create(code: str, name: str, contact: str, phone: str, address: str) -> None:
    """Create an investor."""
    from pos.onboarding import organisations

    data = organisations.InvestorData(code, name, contact, phone, address)
    _done(lambda: f"created investor {organisations.create_investor(data, None).code}")


@click.group("categories")
def categories_group() -> None:
    """Manage product categories."""


@categories_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@with_appcontext
def categories_create(code: str, name: str) -> None:
    """Create a product category."""
    from pos.onboarding import organisations

    _done(lambda: f"created category {organisations.create_category(code, name, None).code}")


@outlets_group.command("token")
@click.argument("code")
@click.option("--revoke", is_flag=True, help="Revoke the outlet's tokens instead of issuing a new one.")
@with_appcontext
def outlets_token(code: str, revoke: bool) -> None:
    """Issue (or rotate) an outlet's sync token on central; it is printed once and stored hashed."""
    from pos.extensions import db
    from pos.models import Outlet
    from pos.sync import tokens

    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
    if outlet is None:
        raise click.ClickException(f"no outlet {code!r}")
    if revoke:
        count = tokens.revoke_all(outlet, None)
        db.session.commit()
        click.echo(f"revoked {count} token(s) of {code}")
        return
    token = tokens.issue(outlet, None)
    db.session.commit()
    click.echo(token)


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder (a USB stick); POS_BACKUP_DIR.")
@click.option("--keep", type=click.IntRange(1, 10_000), help="Backups kept in the folder; POS_BACKUP_KEEP (48).")
@with_appcontext
def backup_command(folder: str | None, keep: int | None) -> None:
    """Back the outlet node's database up (online, integrity-checked); `kmp-pos serve` does it every 15 minutes
    and after each shift is closed."""
    from pathlib import Path

    from flask import current_app

    from pos.node import backup

    cfg = current_app.config
    try:
        info = backup.take(
            backup.database_path(cfg["SQLALCHEMY_DATABASE_URI"]),
            Path(folder or cfg["POS_BACKUP_DIR"]),
            backup.label_of(cfg.get("POS_OUTLET_CODE")),
            keep or int(cfg["POS_BACKUP_KEEP"]),
        )
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up to {info.path} ({info.sales} sales, {info.waiting} events not yet at central)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: str, yes: bool) -> None:
    """Put a backup in place of this node's database (stop `kmp-pos serve` first). Refuses a backup of another
    outlet; the database it replaces is kept in before-restore/. A syncing node sells again after its first sync."""
    from pathlib import Path

    from flask import current_app

    from pos.extensions import db
    from pos.node import backup
    from pos.sync import standing

    cfg = current_app.config
    try:
        target = backup.database_path(cfg["SQLALCHEMY_DATABASE_URI"])
        info = backup.inspect(Path(file))
        outlet = cfg.get("POS_OUTLET_CODE")
        if outlet and outlet not in info.outlets:
            raise backup.BackupError(
                f"{info.path.name} is a backup of {', '.join(info.outlets) or 'no outlet'}, "
                f"not of this node's outlet {outlet}"
            )
        click.echo(
            f"{info.path.name}: outlets {', '.join(info.outlets)}, {info.sales} sales, "
            f"{info.waiting} events not yet at central"
        )
        if not yes and not click.confirm(f"Replace {target} with it?"):
            raise click.ClickException("nothing restored")
        db.engine.dispose()
        backup.restore(Path(file), target, outlet, backup.label_of(outlet), syncs=cfg["POS_ROLE"] == "outlet")
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    standing.forget()
    if cfg["POS_ROLE"] == "outlet":
        click.echo("restored; the till sells again after the first sync with central (kmp-pos sync --once)")
    else:
        click.echo("restored")


@click.command("sync")
@click.option("--once", is_flag=True, help="Sync once and exit (exit status 1 on failure).")
@click.option("--interval", default=15, show_default=True, type=int, help="Seconds between syncs when healthy.")
@click.option(
    "--batch",
    default=500,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Events per push request (smaller for a poor link).",
)
@with_appcontext
def sync_command(once: bool, interval: int, batch: int) -> None:
    """Pull central's changes and push the outbox; without --once, keep going with backoff."""
    from pos.sync import worker

    if once:
        try:
            click.echo(f"sync: {worker.sync_once(batch=batch)}")
        except worker.SyncError as exc:
            raise click.ClickException(str(exc)) from exc
        return
    worker.run(interval=interval, log=click.echo, batch=batch)


@click.command("daily")
@with_appcontext
def daily_command() -> None:
    """Housekeeping once a day (cron, just after midnight): recount each outlet's staff for the new day and fold
    scheduled prices whose time has come into the list price. Reports and prices are right without it (they
    count from the register and compute the price in force when read); it only makes them cheaper to read."""
    from pos.extensions import db
    from pos.staff import roster
    from pos.stock import products

    roster.count_staffing(roster.staffing_day())
    settled = products.settle_due()
    db.session.commit()
    click.echo(f"staff recounted as of {roster.staffing_day()}; scheduled prices settled on {settled} product(s)")


@click.group("central")
def central_group() -> None:
    """Central server operations."""


@central_group.command("distribute")
@click.option("--print", "print_only", is_flag=True, help="Write the SQL for an operator instead of running it.")
@click.option("--shards", type=click.IntRange(1, 4096), help="Shards per distributed table (citus.shard_count).")
@with_appcontext
def central_distribute(print_only: bool, shards: int | None) -> None:
    """Place central's tables on a Citus cluster: the catalogue and organisations as reference tables, every
    outlet's records distributed by outlet_id and co-located. Safe to run again; run after `kmp-pos db upgrade`."""
    from pos.extensions import db
    from pos.models import citus

    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("central runs on PostgreSQL: this database is " + db.engine.dialect.name)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if print_only:
            for statement in citus.plan(citus.Catalogue.read(connection), shards):
                click.echo(statement)
            return
        version = citus.citus_version(connection)
        if version is None:
            raise click.ClickException(
                "this database has no Citus extension: run on the coordinator after CREATE EXTENSION citus, "
                "or use --print to see the SQL"
            )
        steps = citus.distribute(connection, shards)
    placed = sum(1 for s in steps if s.startswith("SELECT create_"))
    click.echo(f"Citus {version}: {placed} table(s) placed, {len(steps) - placed} other statement(s)")


COMMANDS = (
    serve_command,
    demo_command,
    users_group,
    cooperatives_group,
    outlets_group,
    investors_group,
    categories_group,
    backup_command,
    restore_command,
    sync_command,
    daily_command,
    central_group,
)
for _command in COMMANDS:  # found without building the app (``kmp-pos serve`` must not load it)
    main.add_command(_command)


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


if __name__ == "__main__":
    main()
