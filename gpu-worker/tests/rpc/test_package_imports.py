"""The import map of genrec's packages (read with ast, nothing imported): no cycle between packages,
rpc depends on jobs and never the reverse (jobs may use the generated wire models, genrec.rpc.models,
which import nothing of genrec), and nothing in the library imports the command-line tools."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import genrec

SRC = Path(genrec.__file__).resolve().parent
WIRE_MODELS = "genrec.rpc.models"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every genrec module or name ``path`` imports, absolute (``from a import b`` gives a and a.b)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
    return {name for name in found if name == "genrec" or name.startswith("genrec.")}


def unit(module: str) -> str:
    """The node of the map: a package under genrec, with the generated wire models on their own."""
    if module == WIRE_MODELS or module.startswith(WIRE_MODELS + "."):
        return WIRE_MODELS
    return ".".join(module.split(".")[:2])


MODULES = {module_name(p): imports(p) for p in SRC.rglob("*.py")}
MAP: dict[str, set[str]] = {}
for _module, _names in MODULES.items():
    MAP.setdefault(unit(_module), set()).update(unit(n) for n in _names if unit(n) != unit(_module))


def test_no_cycle_between_packages() -> None:
    try:
        TopologicalSorter(MAP).prepare()
    except CycleError as e:
        raise AssertionError(f"import cycle between packages: {' -> '.join(e.args[1])}") from None


def test_rpc_depends_on_jobs_and_jobs_only_on_the_wire_models() -> None:
    assert "genrec.jobs" in MAP["genrec.rpc"]
    from_jobs = {n for m, names in MODULES.items() if m.startswith("genrec.jobs") for n in names}
    runtime = {n for n in from_jobs if unit(n) == "genrec.rpc"}  # genrec.rpc itself or beyond its models
    assert not runtime, f"jobs imports the RPC layer: {sorted(runtime)}"
    assert MODULES["genrec.rpc"] == set(), "importing genrec.rpc.models must not run the rest of rpc"
    assert MAP.get(WIRE_MODELS, set()) == set(), "the generated models import nothing of genrec"


def test_the_library_never_imports_the_tools() -> None:
    users = {m for m, names in MODULES.items() if not m.startswith("genrec.tools")}
    assert not [m for m in users if any(n.startswith("genrec.tools") for n in MODULES[m])]
