"""scripts/import_graph.py finds cycles and tells function-level edges apart."""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_graph.py"


def _tool():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package(tmp_path, files):
    pkg = tmp_path / "ksql_magic"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, text in files.items():
        (pkg / name).write_text(text)
    return tmp_path


def test_cycle_through_function_level_import_is_reported_only_over_all_edges(tmp_path, capsys):
    root = _package(tmp_path, {
        "left.py": "from .right import thing\n",
        "right.py": "def thing():\n    from .left import other\n",
    })
    tool = _tool()
    assert tool.main(["--root", str(root)]) == 1
    assert "ksql_magic.left <-> ksql_magic.right" in capsys.readouterr().out
    assert tool.main(["--root", str(root), "--top-level-only"]) == 0


def test_relative_import_of_parent_package_module_resolves_to_that_module(tmp_path):
    root = _package(tmp_path, {"base.py": "X = 1\n"})
    sub = root / "ksql_magic" / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (sub / "user.py").write_text("from ..base import X\n")
    graph = _tool().build_graph(root)
    assert dict(graph["ksql_magic.sub.user"]) == {"ksql_magic.base": {"top"}}


def test_type_checking_imports_are_not_edges(tmp_path):
    root = _package(tmp_path, {
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
        "b.py": "from .a import A\n",
    })
    assert "ksql_magic.b" not in _tool().build_graph(root)["ksql_magic.a"]
