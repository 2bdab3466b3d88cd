"""infra/build_check.py (CI's `make build-check`): the checks that fail a bad `sam build`, on
made-up build directories (the real builds run in .ci/run: minutes, not a unit test)."""

from __future__ import annotations

from pathlib import Path

from infra import build_check
from infra.local.template import Function


class _Template:
    def __init__(self, functions):
        self.functions = functions


def _function(build: Path, logical_id: str, source: str) -> Function:
    code = build / logical_id
    code.mkdir(parents=True)
    (code / "app.py").write_text(source)
    return Function(logical_id, code, "app.lambda_handler", {}, {})


def _wheel(site: Path, name: str, *tags: str, pure: bool = False) -> None:
    info = site / f"{name}.dist-info"
    info.mkdir(parents=True)
    lines = ["Wheel-Version: 1.0", f"Root-Is-Purelib: {str(pure).lower()}", *(f"Tag: {t}" for t in tags)]
    (info / "WHEEL").write_text("\n".join(lines) + "\n")


def test_a_function_importing_what_the_layer_lacks_fails_and_one_using_the_layer_passes(tmp_path):
    layer = tmp_path / "SharedLayer" / "python"
    (layer / "khadamat_fake").mkdir(parents=True)
    (layer / "khadamat_fake" / "__init__.py").write_text("VALUE = 1\n")
    good = _function(tmp_path, "GoodFunction", "import khadamat_fake\ndef lambda_handler(e, c): pass\n")
    bad = _function(tmp_path, "BadFunction", "import pyotp_not_in_layer\ndef lambda_handler(e, c): pass\n")
    no_handler = _function(tmp_path, "NoHandlerFunction", "import khadamat_fake\n")
    failures = build_check.import_failures(_Template([good, bad, no_handler]), tmp_path)
    assert [f.split(":")[0] for f in failures] == ["BadFunction", "NoHandlerFunction"]
    assert "pyotp_not_in_layer" in failures[0]


def test_the_deployed_layer_must_hold_cpython_312_aarch64_wheels(tmp_path):
    _wheel(tmp_path, "pydantic_core-2.41.5", "cp312-cp312-manylinux_2_17_aarch64")
    _wheel(tmp_path, "argon2_cffi_bindings-25.1.0", "cp39-abi3-manylinux_2_17_aarch64")
    _wheel(tmp_path, "pynamodb-6.1.0", "py3-none-any", pure=True)
    assert build_check.wrong_wheels(tmp_path, "aarch64") == []
    _wheel(tmp_path, "pillow-12.0.0", "cp312-cp312-manylinux_2_17_x86_64")
    _wheel(tmp_path, "nh3-0.3.2", "cp311-cp311-manylinux_2_17_aarch64")
    assert [w.split("-")[0] for w in build_check.wrong_wheels(tmp_path, "aarch64")] == ["nh3", "pillow"]
