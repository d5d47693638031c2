"""Operator CLI: move the legacy JSON files into DynamoDB, safely, and export the tables back out.

Run from backend/ (settings come from the environment and `.env`, as for the service):

    python migrate_to_dynamodb.py [--departments PATH] [--events PATH] [--dry-run]
                                  [--create-tables] [--report PATH] [--id-map PATH]
    python migrate_to_dynamodb.py --export DIR

Exit status: 0 everything migrated, 1 some records rejected (the rest written), 2 could not run
(or could not verify what it wrote); the last lines printed say what to do.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config import Settings
from errors import Throttled
from migration.errors import MigrationFailed
from migration.export import export_tables, write_json
from migration.legacy_ids import MIGRATION_NAMESPACE
from migration.legacy_json import DEFAULT_DEPARTMENTS, DEFAULT_EVENTS
from migration.report import Report
from migration.run import DEFAULT_WORKERS, Migration
from models import DynamoDBDatabase
from storage.aws_failures import AWS_ERRORS, operator_message

# __name__ is "__main__" when run as a script; one fixed name keeps the log configuration simple.
log = logging.getLogger("migration")
# The storage layer's retries (throttling) belong in the operator's log too.
LOGGERS = (log, logging.getLogger("storage"))

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2

DEFAULT_REPORT = "migration_report.json"
DEFAULT_ID_MAP = "migration_id_map.json"
DEFAULT_LOG = "migration.log"

MAX_LOGGED_REJECTIONS = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migrate_to_dynamodb.py",
        description="Migrate the legacy departments.json and calendar_events.json into DynamoDB "
        "(idempotent: run it again after a failure), or --export the tables back to JSON.",
        epilog="Exit status: 0 all migrated, 1 some records rejected (the rest written), 2 could not run.",
    )
    parser.add_argument("--departments", type=Path, default=Path(DEFAULT_DEPARTMENTS), metavar="PATH",
                        help=f"legacy departments file (default: ./{DEFAULT_DEPARTMENTS})")
    parser.add_argument("--events", type=Path, default=Path(DEFAULT_EVENTS), metavar="PATH",
                        help=f"legacy events file (default: ./{DEFAULT_EVENTS})")
    parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing to DynamoDB")
    parser.add_argument("--create-tables", action="store_true", help="create the tables if they are missing")
    parser.add_argument("--report", type=Path, default=Path(DEFAULT_REPORT), metavar="PATH",
                        help=f"JSON report (default: ./{DEFAULT_REPORT})")
    parser.add_argument("--id-map", type=Path, default=Path(DEFAULT_ID_MAP), metavar="PATH",
                        help=f"legacy id -> UUID map (default: ./{DEFAULT_ID_MAP})")
    parser.add_argument("--log-file", type=Path, default=Path(DEFAULT_LOG), metavar="PATH",
                        help=f"log file, appended to (default: ./{DEFAULT_LOG})")
    parser.add_argument("--export", type=Path, metavar="DIR",
                        help="write both tables to DIR/departments.json and DIR/calendar_events.json instead")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"batch writes in flight at once (default: {DEFAULT_WORKERS})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, only warnings and the summary")
    return parser


def _setup_logging(log_file: Path, quiet: bool) -> list[logging.Handler]:
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [file_handler, console]
    for logger in LOGGERS:
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    return handlers


def _teardown_logging(handlers: list[logging.Handler]) -> None:
    for logger in LOGGERS:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    for handler in handlers:
        handler.close()


def _describe_aws_error(exc: Exception, settings: Settings) -> str:
    return operator_message(exc, settings, then="Then run again (it is idempotent).")


def _write_outputs(report: Report, settings: Settings, args: argparse.Namespace) -> None:
    write_json(args.report, report.as_dict(settings))
    write_json(args.id_map, {"namespace": str(MIGRATION_NAMESPACE), **report.id_map})


def _print_summary(report: Report, args: argparse.Namespace) -> None:
    lines = []
    for what, counts in (("departments", report.departments), ("events", report.events)):
        line = (f"{what}: {counts.read} read, {counts.written} written, {counts.already_present} "
                f"already present, {counts.rejected} rejected")
        if report.dry_run:
            line += f", {counts.would_write} would be written (dry run: nothing was written)"
        lines.append(line)
    if report.verification["ok"]:
        lines.append(f"verified: event counts of {len(report.verification['departments'])} department(s) match")
    lines.append(f"report: {args.report}  id map: {args.id_map}  log: {args.log_file}")
    if report.rejections:
        lines.append(f"{len(report.rejections)} record(s) rejected: see \"rejections\" in {args.report}, "
                     "fix them and run again (a re-run writes only what is missing)")
    print("\n".join(lines))


def main(argv: list[str] | None = None, db: DynamoDBDatabase | None = None) -> int:
    """Run the CLI; returns the exit status (0 migrated, 1 some rejected, 2 could not run)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or bad arguments (argparse printed why)
        return EXIT_OK if exc.code == 0 else EXIT_FAILED
    if args.export and (args.dry_run or args.create_tables):
        print("error: --export cannot be combined with --dry-run or --create-tables", file=sys.stderr)
        return EXIT_FAILED
    try:
        handlers = _setup_logging(args.log_file, args.quiet)
    except OSError as exc:
        print(f"error: cannot open the log file {args.log_file} ({exc.strerror}): pass --log-file PATH",
              file=sys.stderr)
        return EXIT_FAILED
    try:
        return _run(args, db)
    finally:
        _teardown_logging(handlers)


def _run(args: argparse.Namespace, db: DynamoDBDatabase | None) -> int:
    try:
        settings = db.settings if db is not None else Settings.from_env()
    except ValueError as exc:
        log.error("%s: fix the environment (or .env) and run again", exc)
        return EXIT_FAILED
    if args.export:
        return _export(args, db or DynamoDBDatabase(settings))
    for output in (args.report, args.id_map):
        if not output.parent.is_dir():
            log.error("cannot write %s: the directory %s does not exist", output, output.parent)
            return EXIT_FAILED
    report = _migrate(args, db or DynamoDBDatabase(settings))
    _log_rejections(report, args.report)
    _log_warnings(report, args.report)
    try:
        _write_outputs(report, settings, args)
    except OSError as exc:
        log.error("cannot write the report or id map (%s): %s", exc.filename, exc.strerror)
        return EXIT_FAILED
    if report.error:
        log.error("%s", report.error)
    else:
        _print_summary(report, args)
    log.info("migration finished with exit status %d", report.exit_code)
    return report.exit_code


def _export(args: argparse.Namespace, db: DynamoDBDatabase) -> int:
    try:
        counts = export_tables(db, args.export)
    except MigrationFailed as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    except (*AWS_ERRORS, Throttled) as exc:
        log.error("%s", _describe_aws_error(exc, db.settings))
        return EXIT_FAILED
    print(f"exported {counts['departments']} departments and {counts['events']} events to {args.export}")
    return EXIT_OK


def _migrate(args: argparse.Namespace, db: DynamoDBDatabase) -> Report:
    """Run the migration; the report says what happened, its error and exit code included."""
    settings = db.settings
    report = Report(dry_run=args.dry_run, departments_file=args.departments, events_file=args.events)
    progress = not args.quiet and sys.stderr.isatty()
    log.info("migration started%s: tables %s and %s at %s", " (dry run)" if args.dry_run else "",
             settings.departments_table, settings.events_table,
             settings.dynamodb_endpoint_url or f"AWS {settings.aws_region}")
    try:
        Migration(db, report, create_tables=args.create_tables, progress=progress, workers=args.workers).run()
    except MigrationFailed as exc:
        report.error = str(exc)
    except (*AWS_ERRORS, Throttled) as exc:
        report.error = _describe_aws_error(exc, settings)
    except Exception as exc:  # the exit status is a contract: never the interpreter's 1 for a crash
        log.exception("unexpected error")
        report.error = f"unexpected error ({type(exc).__name__}: {exc}): see {args.log_file}, then run again"
    if report.error:
        report.exit_code = EXIT_FAILED
    else:
        report.exit_code = EXIT_REJECTED if report.rejections else EXIT_OK
    return report


def _log_rejections(report: Report, report_path: Path) -> None:
    for rejection in report.rejections[:MAX_LOGGED_REJECTIONS]:
        log.warning("rejected %s %s: %s", rejection["file"], rejection["path"], rejection["reason"])
    if len(report.rejections) > MAX_LOGGED_REJECTIONS:
        log.warning("... and %d more rejections: see %s", len(report.rejections) - MAX_LOGGED_REJECTIONS,
                    report_path)


def _log_warnings(report: Report, report_path: Path) -> None:
    """What was migrated other than it was written: replaced values, then the fields left out."""
    for warning in report.warnings[:MAX_LOGGED_REJECTIONS]:
        log.warning("warning %s %s: %s", warning["file"], warning["path"], warning["reason"])
    if len(report.warnings) > MAX_LOGGED_REJECTIONS:
        log.warning("... and %d more warnings: see %s", len(report.warnings) - MAX_LOGGED_REJECTIONS, report_path)
    for kind, fields in report.ignored_fields.items():
        for name, records in sorted(fields.items()):
            log.warning("ignored field %r of %s in %d record(s): not migrated (see \"ignored_fields\" in %s)",
                        name, kind, records, report_path)


if __name__ == "__main__":
    sys.exit(main())
