"""The shared kernel stands on its own: no module in app/kernel imports a domain package."""

import ast
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[2] / "app" / "kernel"


def _app_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "app" or n.startswith("app.")}


def test_the_kernel_imports_only_the_kernel() -> None:
    outside = {
        f"{path.name}: {name}"
        for path in KERNEL.glob("*.py")
        for name in _app_imports(path)
        if not name.startswith("app.kernel")
    }
    assert outside == set()
    assert len(list(KERNEL.glob("*.py"))) > 10  # the walk found the kernel


def test_the_outbox_imports_only_the_kernel_and_itself() -> None:
    outbox = KERNEL.parent / "outbox"
    outside = {
        f"{path.name}: {name}"
        for path in outbox.glob("*.py")
        for name in _app_imports(path)
        if not name.startswith(("app.kernel", "app.outbox"))
    }
    assert outside == set()
    assert (outbox / "engine.py").exists()  # the walk found the engine
