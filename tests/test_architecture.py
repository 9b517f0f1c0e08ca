"""The layout rules that the import contracts (``lint-imports``) cannot say on their own."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["programs", "inspections", "guidance", "workshops", "portal"]
MAX_LINES = 500


def _python_files(app: str):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def test_guidance_takes_only_the_item_catalogue_from_inspections():
    taken = set()
    for path in _python_files("guidance"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "inspections":
                taken |= {(node.module, alias.name) for alias in node.names}
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("inspections") for alias in node.names), path
    assert taken <= {("inspections.models", "InspectionItem")}


def test_no_module_is_longer_than_a_head_can_hold():
    long = {
        str(path.relative_to(ROOT)): lines
        for app in APPS
        for path in _python_files(app)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_inside_a_function_reaches_another_app():
    """A function-level import of another app hides a cycle from the contracts' reader; none is left."""
    found = []
    for app in APPS:
        for path in _python_files(app):
            for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    module = node.module if isinstance(node, ast.ImportFrom) else None
                    if module and module.split(".")[0] in APPS and module.split(".")[0] != app:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {module}")
    assert found == []
