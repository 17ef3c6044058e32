"""The `genmedia` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from genmedia.application.identity.commands import CreateUser
from genmedia.domain.errors import DomainError, NotFound
from genmedia.entrypoints.accounts_cli import add_credits, add_user_reads
from genmedia.entrypoints.articles_cli import add_articles
from genmedia.entrypoints.batch import add_batch
from genmedia.entrypoints.catalog_cli import add_catalog
from genmedia.entrypoints.codes import add_coupons, add_gift_cards
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.generate import cmd_generate
from genmedia.entrypoints.log_setup import configure_logging
from genmedia.entrypoints.model_sync import add_providers
from genmedia.entrypoints.setting_commands import add_settings
from genmedia.entrypoints.train import add_train

log = logging.getLogger("genmedia")


def cmd_db_upgrade(container: Container, args: argparse.Namespace) -> int:
    """Bring the database schema to the latest migration."""
    from genmedia.adapters.sql import migrate

    migrate.upgrade(container.config.database_url())
    print("database is at the latest migration")
    return 0


def cmd_seed(container: Container, args: argparse.Namespace) -> int:
    """Load the sample catalog and the default admin (idempotent)."""
    report = container.seed_catalog()
    print(
        f"seeded: {report.provider_models} provider models, {report.features} features, "
        f"{report.tags} tags, {report.templates} templates, "
        f"{report.credit_packs} credit packs added"
    )
    return 0


def cmd_users_create(container: Container, args: argparse.Namespace) -> int:
    """Create a user."""
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    user = container.create_user(
        CreateUser(email=args.email, name=args.name, password=password, is_admin=args.admin)
    )
    print(f"user {user.id} {user.email}{' (admin)' if user.is_admin else ''}")
    return 0


def cmd_worker(container: Container, args: argparse.Namespace) -> int:
    """Run worker processes (threads each, plus the dispatcher role) until SIGTERM."""
    from genmedia.entrypoints.processes import run_worker_processes
    from genmedia.entrypoints.settings import Settings
    from genmedia.entrypoints.worker import WorkerRuntime

    settings = Settings.from_env()
    if args.threads:
        settings = attrs.evolve(settings, worker_threads=args.threads)
    processes = args.processes or settings.worker_processes
    print(f"worker: {processes} process(es) × {settings.worker_threads} threads; Ctrl-C to stop")
    if processes == 1:
        container.config.worker_threads.override(settings.worker_threads)
        WorkerRuntime(container).run_forever()
        return 0
    if not settings.redis_url:
        print("error: several processes need GENMEDIA_REDIS_URL (a shared broker)", file=sys.stderr)
        return 2
    return run_worker_processes(settings, processes)


def cmd_dispatcher(container: Container, args: argparse.Namespace) -> int:
    """Run the dispatcher and maintenance alone until SIGTERM."""
    from genmedia.entrypoints.worker import run_dispatcher

    if not container.config.redis_url():
        print("error: a separate dispatcher needs GENMEDIA_REDIS_URL", file=sys.stderr)
        return 2
    print("dispatcher running; Ctrl-C to stop")
    run_dispatcher(container)
    return 0


def cmd_demo(container: Container, args: argparse.Namespace) -> int:
    """Run the whole flow on the embedded default and write a gallery."""
    from genmedia.entrypoints.demo import run_demo

    return run_demo(container)


def _add_users(sub: Any) -> None:
    users = sub.add_parser("users", help="users").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a user")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--name")
    create.add_argument("--password-stdin", action="store_true", help="read a password from stdin")
    create.set_defaults(fn=cmd_users_create)
    add_user_reads(users)


def _add_generate(sub: Any) -> None:
    gen = sub.add_parser("generate", help="submit a generation request")
    which = gen.add_mutually_exclusive_group(required=True)
    which.add_argument("--template", help="template slug or id")
    which.add_argument("--feature", type=int, help="feature id")
    gen.add_argument("--prompt", default="", help="your prompt")
    gen.add_argument("--option", action="append", default=[], metavar="GROUP=VALUE")
    gen.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    gen.add_argument("--media", action="append", type=int, default=[], metavar="ID")
    gen.add_argument("--batch", type=int, default=1, metavar="N")
    gen.add_argument("--seed", type=int)
    gen.add_argument("--negative", help="negative prompt")
    gen.add_argument("--trained-model", type=int, metavar="ID", help="apply a trained model")
    gen.add_argument("--lora-weight", type=float, metavar="W", help="its weight, 0 to 2")
    gen.add_argument("--user", required=True, metavar="EMAIL")
    gen.add_argument("--wait", action="store_true", help="follow the jobs to the end")
    gen.add_argument("--json", action="store_true", help="print request, jobs and media as JSON")
    gen.set_defaults(fn=cmd_generate)


def _add_workers(sub: Any) -> None:
    worker = sub.add_parser("worker", help="run the job worker")
    worker.add_argument("--processes", type=int, help="worker processes (needs Redis if > 1)")
    worker.add_argument("--threads", type=int, help="worker threads per process")
    worker.set_defaults(fn=cmd_worker)
    dispatcher = sub.add_parser("dispatcher", help="run the dispatcher and maintenance alone")
    dispatcher.set_defaults(fn=cmd_dispatcher)


def _add_serve(sub: Any) -> None:
    from genmedia.entrypoints.serve import cmd_serve

    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="address to listen on (GENMEDIA_HTTP_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (GENMEDIA_HTTP_PORT, 8000)")
    serve.add_argument("--workers", type=int, help="server processes (GENMEDIA_HTTP_WORKERS)")
    serve.set_defaults(fn=cmd_serve)


# Each adds its subcommands to the root's subparsers; a new group appends its `add_*` here.
COMMAND_GROUPS: list[Callable[[Any], None]] = [
    _add_users,
    _add_generate,
    add_batch,
    _add_workers,
    _add_serve,
    add_providers,
    add_settings,
    add_articles,
    add_coupons,
    add_gift_cards,
    add_catalog,
    add_credits,
    add_train,
]


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    root = argparse.ArgumentParser(
        prog="genmedia", description="genmedia: AI media generation core"
    )
    root.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the demo flow end to end").set_defaults(fn=cmd_demo)
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply every migration").set_defaults(fn=cmd_db_upgrade)
    sub.add_parser("seed", help="load the sample catalog and admin").set_defaults(fn=cmd_seed)
    for add in COMMAND_GROUPS:
        add(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one genmedia command; domain errors print per field and exit 2."""
    args = parser().parse_args(argv)
    configure_logging(
        logging.INFO if args.verbose else logging.WARNING, "%(levelname)s %(name)s: %(message)s"
    )
    container = build_container()
    try:
        code: int = args.fn(container, args)
        return code
    except NotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except DomainError as err:
        problems = [str(e) for e in err.field_errors()] or [str(err)]
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except argparse.ArgumentTypeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        container.shutdown_resources()


if __name__ == "__main__":
    sys.exit(main())
