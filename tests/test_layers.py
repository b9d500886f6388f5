"""One home per feature and layer, and one place for a chat's words (docs/DEVELOPING.md, "Where words are written").

Checked by syntax and by the file tree, so a new `handlers/x/texts.py`, a package without `entry.py` or a service
that imports an adapter fails here with its path.
"""

from __future__ import annotations

import ast
from pathlib import Path

from handlers.registry import FEATURES

ROOT = Path(__file__).resolve().parents[1]
HANDLERS, SERVICES = ROOT / "handlers", ROOT / "bot" / "services"
TEXT_MODULES = {"texts.py", "sentences.py", "text.py", "messages.py"}  # a feature's chat texts are its render.py
# Packages not yet in the shape, each with the reason; the test fails once one is, so the line goes with it.


def packages() -> list[Path]:
    return sorted(p.parent for p in HANDLERS.glob("*/__init__.py"))


def shape_faults(package: Path) -> list[str]:
    faults = [f"{m.name} (a feature's chat texts go in render.py)" for m in sorted(package.glob("*.py"))
              if m.name in TEXT_MODULES]
    faults += [f"{m.name} (a second render module is named after the module of its side: render_<module>.py)"
               for m in sorted(package.glob("render_*.py")) if not (package / f"{m.stem[len('render_'):]}.py").exists()]
    body = ast.parse((package / "__init__.py").read_text(encoding="utf-8")).body
    if any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in body):
        faults.append("__init__.py holds code (a handlers package's __init__ is its docstring)")
    entry = f"handlers.{package.name}.entry"
    if not (package / "entry.py").exists():
        faults.append("no entry.py (COMMANDS, register(app), the commands and buttons)")
    elif entry not in {module.__name__ for module in FEATURES}:
        faults.append(f"{entry} is not in handlers.registry.FEATURES")
    return faults


def test_every_handlers_package_has_entry_render_and_a_registry_line():
    faults = {p.name: shape_faults(p) for p in packages()}
    assert {name: found for name, found in faults.items() if found} == {}
    for module in FEATURES:
        assert hasattr(module, "COMMANDS") and callable(module.register), module.__name__


def test_no_flat_handlers_module_beside_a_feature_package():
    """A feature with a service package has its handlers in a package of the same name, not in handlers/x.py."""
    flat = {p.stem for p in HANDLERS.glob("*.py")}
    assert sorted(flat & {p.parent.name for p in SERVICES.glob("*/__init__.py")}) == []


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_import_neither_adapters_nor_telegram():
    """The services return data and raise DomainError msgids; the adapters (chat or desk) render them."""
    offences = [f"{path.relative_to(ROOT)} imports {name}" for path in sorted(SERVICES.rglob("*.py"))
                for name in sorted(imported(path) & {"handlers", "telegram"})]
    assert offences == []
