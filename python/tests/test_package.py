"""The tests run against the installed wheel, and its stub matches it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import aa_rotation
from aa_rotation import _native

PACKAGE = Path(aa_rotation.__file__).resolve().parent
SOURCE = Path(__file__).resolve().parents[1] / "aa_rotation"


def test_installed_wheel_is_under_test():
    assert PACKAGE != SOURCE.resolve()
    assert "site-packages" in PACKAGE.parts
    assert Path(_native.__file__).parent == PACKAGE
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "_native.pyi").exists()


def stub_names():
    tree = ast.parse((PACKAGE / "_native.pyi").read_text())
    classes, functions = {}, set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
    return classes, functions


def test_stub_matches_module():
    classes, functions = stub_names()
    runtime_classes = {name for name, value in vars(_native).items() if inspect.isclass(value)}
    runtime_functions = {name for name, value in vars(_native).items() if callable(value) and not inspect.isclass(value)}
    assert set(classes) == runtime_classes
    assert functions == runtime_functions
    for name, methods in classes.items():
        cls = getattr(_native, name)
        own = {attr for attr in vars(cls) if not attr.startswith("__")}
        stubbed = {m for m in methods if not m.startswith("__")}
        assert stubbed == own, name
        for method in methods:
            assert hasattr(cls, method), f"{name}.{method}"


def test_version_matches_package():
    assert aa_rotation.__version__ == _native.__version__
    assert aa_rotation.__version__.count(".") == 2
