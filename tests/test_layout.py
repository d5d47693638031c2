"""The shape of the code that the tree promises: entry points that build nothing on import, a
migration whose pure parts need no boto3, small functions, and test helpers imported as modules."""
from __future__ import annotations

import ast
import subprocess
import sys

from config import BACKEND_DIR, PROJECT_DIR

MAX_FUNCTION_LINES = 40


def run_in_backend(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=BACKEND_DIR, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_factory_builds_no_app_and_configures_no_logging():
    out = run_in_backend(
        "import logging, app; "
        "print('app' in vars(app), logging.getLogger().handlers, app.create_app.__name__)"
    )
    assert out == "False [] create_app"


def test_the_seed_import_of_app_still_gives_the_app():
    assert run_in_backend("from app import app; print(type(app).__name__, app.import_name)") == "Flask app"


def test_the_migration_reads_and_reports_without_the_storage_layer():
    out = run_in_backend(
        "import sys; import migration.legacy_ids, migration.legacy_json, migration.report, schema, validation, "
        "contract.openapi, rules.feed_calendar; "
        "print(sorted(m for m in ('boto3', 'botocore', 'models', 'flask') if m in sys.modules))"
    )
    assert out == "[]"


def _functions(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


def test_no_backend_function_is_longer_than_forty_lines():
    long = [
        f"{path.relative_to(PROJECT_DIR)}:{name} ({lines} lines)"
        for path in sorted(BACKEND_DIR.rglob("*.py"))
        for name, lines in _functions(path)
        if lines > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_no_test_module_imports_conftest():
    importers = [
        path.name for path in sorted((PROJECT_DIR / "tests").glob("*.py"))
        if any(isinstance(node, (ast.Import, ast.ImportFrom)) and "conftest" in ast.dump(node)
               for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert importers == []
