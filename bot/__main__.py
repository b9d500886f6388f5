"""Command line: run the bot (or the simulator without a token), serve the desk apart, migrate, load the
organisation, add an admin."""

from __future__ import annotations

import gc
import sys

if __name__ == "__main__":
    # Start-up creates some hundred thousand objects that live as long as the process (models, handlers,
    # catalogs): collecting while importing them is wasted work (about a fifth of the start-up time).
    gc.disable()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.redact import Redactor, install, secrets_of  # noqa: E402


def started() -> None:
    """Start-up is over: collect again, but never scan what start-up built (it lives as long as the process;
    unfrozen, the first collections would scan all of it while the first update is being answered)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _setup_logging(settings: Settings) -> Redactor:
    """Logging with every secret redacted, before anything that could log or raise runs."""
    from bot.logs import configure

    redact = Redactor(secrets_of(settings))
    configure(settings.tz)
    install(redact)
    return redact


def startup_failure(error: Exception, redact: Redactor) -> str:
    """A short message for a failed start, in Vietnamese and English, without any secret."""
    from telegram.error import InvalidToken, NetworkError

    if isinstance(error, InvalidToken):
        return ("Telegram không chấp nhận TELEGRAM_BOT_TOKEN. Đề nghị kiểm tra lại mã bot (lấy từ @BotFather) và "
                "TELEGRAM_API_BASE_URL (để trống nếu dùng máy chủ Telegram).\n"
                "Telegram rejected TELEGRAM_BOT_TOKEN. Check the token (from @BotFather) and TELEGRAM_API_BASE_URL "
                "(leave it empty for Telegram's own server).")
    detail = redact(f"{type(error).__name__}: {error}")
    if isinstance(error, NetworkError):
        return (f"Không kết nối được máy chủ Telegram / Could not reach the Telegram server: {detail}\n"
                "Đề nghị kiểm tra mạng và TELEGRAM_API_BASE_URL / Check the network and TELEGRAM_API_BASE_URL.")
    return f"Không khởi động được bot / The bot could not start: {detail}"


def _services(settings: Settings):  # noqa: ANN202
    from bot.app import boot_services
    from bot.clock import SystemClock
    from storage.db import Database

    return boot_services(settings, Database(settings.effective_database_url), SystemClock(settings.tz))


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_bot_token:
        started()
        print("TELEGRAM_BOT_TOKEN chưa được đặt: khởi động trình mô phỏng cục bộ.\n"
              "No TELEGRAM_BOT_TOKEN: starting the local chat simulator.\n")
        return cmd_demo(settings, args)
    if problems := settings.startup_problems():
        print("\n\n".join(problems), file=sys.stderr)
        return 2
    redact = _setup_logging(settings)
    try:
        return _run_live(settings)
    except Exception as error:  # a failed start prints one clean line, never a traceback holding the token
        logging.getLogger(__name__).debug("start-up failed", exc_info=error)
        print(startup_failure(error, redact), file=sys.stderr)
        return 1


def _run_live(settings: Settings) -> int:
    from bot.app import build_runtime

    runtime = build_runtime(settings)
    services = runtime.services
    if not any(services.people.office_recipients()):
        code = services.invites.bootstrap_office_invite()
        if code:
            print(f"Chưa có tài khoản Phòng HC-TH. Mở liên kết sau để đăng ký / No Office account yet; open:\n"
                  f"  https://t.me/<bot>?start={code}  (đổi <bot> thành tên bot / replace <bot> by the bot's username)\n"
                  f"Chỉ liên kết này còn hiệu lực; các liên kết in ở lần khởi động trước đã bị thu hồi.\n"
                  f"Only this link is valid; links printed at earlier starts have been revoked.")
    started()
    # Updates are stored before they are confirmed, processed in worker threads, and sent by one paced sender
    # per bot (docs/UPDATES.md). A webhook answers 200 only once the update is stored.
    asyncio.run(runtime.run(webhook=bool(settings.webhook_url)))
    return 0


def cmd_desk(settings: Settings, _args: argparse.Namespace) -> int:
    """The desk in a process of its own, on DESK_LISTEN:DESK_PORT, beside `python -m bot run` (with
    DESK_SEPARATE=true there) on the same database: its pages never take the chat's interpreter."""
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN chưa được đặt: tiến trình riêng của bàn làm việc chỉ chạy cùng bot đang hoạt "
              "động. Trình mô phỏng (`python -m bot run` khi chưa có mã bot) đã có sẵn bàn làm việc.\n"
              "No TELEGRAM_BOT_TOKEN: the desk process runs beside a live bot only. The simulator "
              "(`python -m bot run` without a token) serves its own desk.", file=sys.stderr)
        return 2
    if problems := settings.startup_problems():
        print("\n\n".join(problems), file=sys.stderr)
        return 2
    redact = _setup_logging(settings)
    try:
        return _run_desk(settings, redact)
    except Exception as error:  # as for `run`: one clean line, never a traceback holding the token
        logging.getLogger(__name__).debug("start-up failed", exc_info=error)
        print(startup_failure(error, redact), file=sys.stderr)
        return 1


def _run_desk(settings: Settings, redact: Redactor) -> int:
    wait_for_schema(settings)
    if settings.desk_processes == 1:
        return _serve_desk(settings)
    from tornado.netutil import bind_sockets

    return _desk_workers(settings, bind_sockets(settings.desk_port, settings.desk_listen), redact)


def _serve_desk(settings: Settings, sockets: list | None = None) -> int:
    from bot.app import build_runtime

    runtime = build_runtime(settings, migrate=False)
    started()
    asyncio.run(runtime.serve_desk(sockets=sockets))
    return 0


QUICK_DEATH_SECONDS, QUICK_DEATHS = 10.0, 5  # a worker that ends this soon, this many times in a row: give up


def _desk_workers(settings: Settings, sockets: list, redact: Redactor) -> int:
    """DESK_PROCESSES workers forked on one bound socket, so that several pages render at once (one interpreter
    each); each builds its own runtime after the fork (no engine or thread crosses it). A worker that dies is
    started again, unless workers keep dying within seconds of their start (then the others are stopped and this
    process exits 1, for its supervisor to see); SIGTERM/SIGINT stop them all, and this process ends when they
    have."""
    import contextlib
    import os
    import signal
    import time

    log = logging.getLogger(__name__)
    workers: dict[int, tuple[int, float]] = {}  # pid -> (worker number, when it was started)
    stopping, quick_deaths = False, 0

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def fork(number: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: the signals are its event loop's again
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                code = _serve_desk(settings, sockets)
            except Exception as error:  # noqa: BLE001 - one line, never a traceback holding the token
                logging.getLogger(__name__).debug("desk worker failed", exc_info=error)
                print(startup_failure(error, redact), file=sys.stderr)
            finally:
                os._exit(code)
        workers[pid] = (number, time.monotonic())

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(settings.desk_processes):
        fork(number)
    log.info("the desk: %d worker processes on %s:%s", settings.desk_processes, settings.desk_listen,
             settings.desk_port)
    while workers:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        ended = workers.pop(pid, None)
        if ended is None or stopping:
            continue
        number, since = ended
        quick_deaths = quick_deaths + 1 if time.monotonic() - since < QUICK_DEATH_SECONDS else 0
        if quick_deaths >= QUICK_DEATHS:
            log.error("desk workers end as soon as they start (%d in a row); stopping the desk", quick_deaths)
            stop(signal.SIGTERM, None)
            continue
        log.warning("desk worker %d ended (status %d); starting another", pid, status)
        time.sleep(1)
        if not stopping:
            fork(number)
    return 1 if quick_deaths >= QUICK_DEATHS else 0


def wait_for_schema(settings: Settings, pause: float = 1.0) -> None:
    """The bot process migrates; a desk process started beside it (or before it) waits until the database has
    the schema of this code, so that two processes never run the migrations at once."""
    import time

    from storage.db import Database

    database = Database(settings.effective_database_url)
    waited = 0.0
    try:
        while not database._at_head():  # noqa: SLF001 - the same check start-up makes
            if waited % 30 == 0:
                logging.getLogger(__name__).info("waiting for `python -m bot run` to migrate the database")
            time.sleep(pause)
            waited += pause
    finally:
        database.dispose()


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.simulator.repl import run_simulator

    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run_simulator(settings, fresh=getattr(args, "fresh", False)))
    return 0


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import Database

    Database(settings.effective_database_url).upgrade()
    print("OK")
    return 0


def cmd_load_org(settings: Settings, args: argparse.Namespace) -> int:
    services = _services(settings)
    added, updated, retired = services.org.load_file(args.file or settings.organization_file, args.retire_missing)
    print(f"added {added}, updated {updated}, retired {retired}")
    return 0


def cmd_admin_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain import Role

    services = _services(settings)
    office = services.org.office_unit()
    actor = services.people.add_person(full_name=args.name, role=Role.OFFICE, telegram_id=str(args.telegram_id),
                                       unit_id=office.unit_id if office else None)
    print(f"{actor.full_name} (Telegram {args.telegram_id}) is now Administration Office staff.")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy of the database and the stored files, while the bot may keep running."""
    from bot.backup import BackupError, backup
    from bot.clock import SystemClock

    out = args.out or settings.data_dir / "backups"
    try:
        path, manifest = backup(settings.effective_database_url, settings.data_dir, out, SystemClock(settings.tz).now())
    except BackupError as error:
        print(f"Sao lưu không thành công / Backup failed: {_redacted(settings, str(error))}", file=sys.stderr)
        return 1
    print(f"{path}\n{sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, {manifest.files} files "
          f"({manifest.dialect}, schema {manifest.revision or '-'})")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    """Load a backup into an empty database (DATABASE_URL) and DATA_DIR, then migrate it to this version."""
    from bot.backup import BackupError, restore
    from storage.db import Database

    try:
        manifest = restore(args.archive, settings.effective_database_url, settings.data_dir)
    except (BackupError, OSError) as error:
        print(f"Phục hồi không thành công / Restore failed: {_redacted(settings, str(error))}", file=sys.stderr)
        return 1
    database = Database(settings.effective_database_url)
    database.upgrade()
    database.dispose()
    print(f"Restored the backup of {manifest.created_at}: {sum(manifest.tables.values())} rows in "
          f"{len(manifest.tables)} tables (every count checked), {manifest.files} files.")
    return 0


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    """For a container's health check: the database answers with the current schema, and in webhook mode the
    web port accepts a connection (with --desk: the desk process's port). Prints one line; exit status 0 when
    healthy."""
    import socket

    from storage.db import Database

    database = Database(settings.effective_database_url)
    try:
        if not database._at_head():  # noqa: SLF001 - the same check start-up makes
            print("unhealthy: database unreachable or schema not migrated")
            return 1
    finally:
        database.dispose()
    if getattr(args, "desk", False):
        listen, port = settings.desk_listen, settings.desk_port
    elif settings.webhook_url or settings.zalo_webhook_url:
        listen, port = settings.webhook_listen, settings.webhook_port
    else:
        listen, port = "", 0
    if port:
        host = "127.0.0.1" if listen in ("0.0.0.0", "", "::") else listen
        try:
            socket.create_connection((host, port), timeout=3).close()
        except OSError as error:
            print(f"unhealthy: nothing answers on {host}:{port} ({error})")
            return 1
    print("healthy")
    return 0


def _redacted(settings: Settings, text: str) -> str:
    return Redactor(secrets_of(settings))(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý Thi đua")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the simulator when no token is set)")
    sub.add_parser("desk", help="serve the desk alone on DESK_LISTEN:DESK_PORT, beside `run` (DESK_SEPARATE=true)")
    demo = sub.add_parser("demo", help="the local chat simulator")
    demo.add_argument("--fresh", action="store_true", help="start from an empty simulator database")
    sub.add_parser("migrate", help="upgrade the database schema")
    load = sub.add_parser("load-org", help="load units from config/organization.yaml")
    load.add_argument("--file", type=lambda p: __import__("pathlib").Path(p))
    load.add_argument("--retire-missing", action="store_true")
    admin = sub.add_parser("admin", help="administrators")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    add = admin_sub.add_parser("add", help="register an Administration Office member by Telegram id")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    health = sub.add_parser("health", help="exit 0 when the database is reachable and migrated and the web port "
                                           "answers (container health check)")
    health.add_argument("--desk", action="store_true", help="check the desk process's port (DESK_PORT) instead")
    save = sub.add_parser("backup", help="copy the database and the stored files into one archive")
    save.add_argument("--out", type=lambda p: __import__("pathlib").Path(p),
                      help="folder for the archive (default: DATA_DIR/backups)")
    load_back = sub.add_parser("restore", help="restore an archive into an empty database")
    load_back.add_argument("archive", type=lambda p: __import__("pathlib").Path(p))
    from bot.documents import cli as export_cli  # the official report from the command line

    export_cli.add_parser(sub)
    export_cli.add_sample_parser(sub)
    args = parser.parse_args(argv)
    if args.command not in (None, "run", "desk"):
        started()
    settings = Settings()
    if args.command == "export":
        return export_cli.run(settings, args)
    if args.command == "sample-report":
        return export_cli.run_sample(settings, args)
    handlers = {"run": cmd_run, "desk": cmd_desk, "demo": cmd_demo, "migrate": cmd_migrate, "load-org": cmd_load_org,
                "backup": cmd_backup, "restore": cmd_restore, "health": cmd_health}
    if args.command == "admin":
        return cmd_admin_add(settings, args)
    return handlers.get(args.command or "run", cmd_run)(settings, args)


if __name__ == "__main__":
    sys.exit(main())
