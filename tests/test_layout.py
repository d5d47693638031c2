"""The shape of the code that the tree promises: entry points that build nothing on import, a
migration whose pure parts need no boto3, pure rules that need neither boto3 nor Flask, small
functions, and test helpers imported as modules."""
from __future__ import annotations

import ast
import re
import subprocess
import sys

from config import BACKEND_DIR, PROJECT_DIR

MAX_FUNCTION_LINES = 40
MAX_CLASS_LINES = 400
MAX_MODULE_LINES = 600
# The one backend package that may import boto3 or botocore.
STORAGE = "storage"
# What backend/rules/ may not reach, even through another backend module it imports.
NOT_IN_RULES = ("boto3", "botocore", "flask", "flask_socketio")
# Where the code that holds items names each shape by a type (rules/shapes.py, storage/wire.py)...
SHAPED = ("models.py", "storage", "rules")
# ...but for these aliases, open on purpose (each file's comment at the alias says why): a wire
# attribute's tagged value, any plain values to_item takes, an expression's values, botocore's answer.
OPEN_SHAPES = {
    "storage/wire.py": {"AttributeValue", "PlainItem", "ExpressionValues"},
    "storage/client.py": {"ParsedAnswer"},
    "storage/lean_calls.py": {"CallParameters"},
}
OPEN_MAPPING = re.compile(r"\b(?:dict|Dict|Mapping|MutableMapping)\[str, *(?:Any|object)\]")


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
    out = run_in_backend("import flask; from app import app; print(isinstance(app, flask.Flask), app.import_name)")
    assert out == "True app"


def test_the_migration_reads_and_reports_without_the_storage_layer():
    out = run_in_backend(
        "import sys; import migration.legacy_ids, migration.legacy_json, migration.report, schema, validation, "
        "contract.openapi, rules.feed_calendar; "
        "print(sorted(m for m in ('boto3', 'botocore', 'models', 'flask') if m in sys.modules))"
    )
    assert out == "[]"


def _imported_names(path):
    """Every module name an import in the file names (deferred imports too); `from a import b`
    gives `a` and `a.b`, since b may be a module."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _backend_file(name):
    """The backend file that module `name` is, or None when it is not ours."""
    base = BACKEND_DIR.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def forbidden_imports(start, forbidden):
    """`import chain` lines for every way the files in `start` reach a `forbidden` package,
    following imports through backend modules."""
    found, seen, todo = [], set(start), [(path, path.relative_to(BACKEND_DIR).as_posix()) for path in start]
    while todo:
        path, chain = todo.pop()
        for name in _imported_names(path):
            if name.split(".")[0] in forbidden:
                found.append(f"{chain} -> {name}")
            elif (module := _backend_file(name)) and module not in seen:
                seen.add(module)
                todo.append((module, f"{chain} -> {name}"))
    return sorted(set(found))


def test_the_rules_reach_neither_boto3_nor_flask():
    rules = sorted((BACKEND_DIR / "rules").glob("*.py"))
    assert len(rules) > 5
    assert forbidden_imports(rules, NOT_IN_RULES) == []


def test_the_import_check_sees_a_forbidden_package_behind_a_backend_module():
    """The check above cannot pass vacuously: models.py reaches boto3, app.py Flask-SocketIO."""
    assert any(line.endswith("-> boto3") for line in forbidden_imports([BACKEND_DIR / "models.py"], NOT_IN_RULES))
    assert any(line.endswith("-> flask_socketio") for line in forbidden_imports([BACKEND_DIR / "app.py"], NOT_IN_RULES))


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


def test_no_backend_module_or_class_is_over_its_size_cap():
    big = []
    for path in sorted(BACKEND_DIR.rglob("*.py")):
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            big.append(f"{path.relative_to(PROJECT_DIR)} ({lines} lines)")
        big += [f"{path.relative_to(PROJECT_DIR)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
                for node in ast.walk(ast.parse(path.read_text(), str(path)))
                if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES]
    assert big == []


def test_only_the_storage_package_imports_boto3():
    """All of boto3 lives in backend/storage/: the rest reaches DynamoDB through its stores, and
    catches its failures as storage.aws_failures names them."""
    outside = [
        path.relative_to(BACKEND_DIR).as_posix() for path in sorted(BACKEND_DIR.rglob("*.py"))
        if path.relative_to(BACKEND_DIR).parts[0] != STORAGE
        and any(name.split(".")[0] in ("boto3", "botocore") for name in _imported_names(path))
    ]
    assert outside == []


def _unit(path):
    """The top-level backend package or module a file belongs to (`storage`, `models`, ...)."""
    return path.relative_to(BACKEND_DIR).parts[0].removesuffix(".py")


def import_graph():
    """Each top-level backend package or module -> the others its files import (deferred imports too)."""
    files = sorted(BACKEND_DIR.rglob("*.py"))
    units = {_unit(path) for path in files}
    graph: dict[str, set[str]] = {unit: set() for unit in units}
    for path in files:
        graph[_unit(path)] |= {name.split(".")[0] for name in _imported_names(path)} & units - {_unit(path)}
    return graph


def cycles(graph):
    """The groups of nodes that reach each other (each sorted, with more than one node)."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {tuple(sorted(n for n in reach[node] if node in reach[n])) for node in graph if node in reach[node]}
    return sorted(group for group in groups if len(group) > 1)


def _reachable(graph, start):
    seen, todo = set(), list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += graph.get(node, ())
    return seen


def test_no_import_cycle_between_backend_packages_and_modules():
    graph = import_graph()
    assert {"storage", "rules", "models", "api"} <= graph.keys()
    assert cycles(graph) == []


def test_the_cycle_check_sees_a_cycle_through_three_places():
    graph = {"api": {"auth"}, "auth": {"storage"}, "storage": {"api", "errors"}, "errors": set()}
    assert cycles(graph) == [("api", "auth", "storage")]


def test_no_test_module_imports_conftest():
    importers = [
        path.name for path in sorted((PROJECT_DIR / "tests").rglob("*.py"))
        if any(isinstance(node, (ast.Import, ast.ImportFrom)) and "conftest" in ast.dump(node)
               for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert importers == []


def test_tests_holds_test_modules_and_the_helpers_live_in_support():
    """A reader of tests/ sees tests; what they share is in tests/support/ (no test there)."""
    loose = [path.name for path in sorted((PROJECT_DIR / "tests").glob("*.py"))
             if not path.name.startswith("test_") and path.name != "conftest.py"]
    assert loose == []
    helpers = sorted((PROJECT_DIR / "tests" / "support").glob("*.py"))
    assert [path.name for path in helpers if path.name.startswith("test_") or "def test_" in path.read_text()] == []


def test_make_test_runs_the_fast_tier_first_and_once():
    """`make test` runs tests/unit (`make test-fast`) before anything else, and leaves it out of the
    run that follows, so a broken rule fails in seconds and no unit test runs twice."""
    dry_run = subprocess.run(["make", "-n", "--no-print-directory", "test"], cwd=PROJECT_DIR, capture_output=True,
                             text=True, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    runs = [line for line in dry_run.stdout.splitlines() if " -m pytest " in line]
    assert len(runs) == 2, runs
    assert runs[0].endswith(" tests/unit") and "--ignore=tests/unit" in runs[1]


def _readme_layout(readme: str = "README.md") -> str:
    """A README's "## Layout" tree (the first fenced block after that heading)."""
    return (PROJECT_DIR / readme).read_text().split("## Layout", 1)[1].split("```")[1]


def test_the_readme_layout_names_every_backend_module_and_package():
    layout = _readme_layout()
    unnamed = [path.relative_to(PROJECT_DIR).as_posix() for path in sorted(BACKEND_DIR.rglob("*.py"))
               if path.name != "__init__.py" and "__pycache__" not in path.parts and path.name not in layout]
    unnamed += [f"backend/{path.name}/" for path in sorted(BACKEND_DIR.iterdir())
                if path.is_dir() and (path / "__init__.py").exists() and f"{path.name}/" not in layout]
    assert unnamed == []


def test_the_bench_readme_layout_names_every_bench_file():
    layout = _readme_layout("bench/README.md")
    bench = PROJECT_DIR / "bench"
    assert [path.name for path in sorted(bench.iterdir())
            if path.suffix in (".py", ".lua") and path.name not in layout] == []


def test_items_are_named_shapes_not_open_dicts():
    """In storage/, models.py and rules/ an open `dict[str, Any]` (or Mapping, or of object) stands
    only as one of the aliases OPEN_SHAPES allows: every other shape is named by a type."""
    paths = [BACKEND_DIR / "models.py", *(p for d in SHAPED[1:] for p in sorted((BACKEND_DIR / d).rglob("*.py")))]
    found = []
    for path in paths:
        name = path.relative_to(BACKEND_DIR).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            alias = re.match(r"(\w+) = ", line)
            if OPEN_MAPPING.search(line) and not (alias and alias.group(1) in OPEN_SHAPES.get(name, ())):
                found.append(f"backend/{name}:{number}: {line.strip()}")
    assert found == [], ("name the shape by a TypedDict or dataclass (rules/shapes.py for plain values, "
                         "storage/wire.py for DynamoDB's), or give an open alias a reason in OPEN_SHAPES")
