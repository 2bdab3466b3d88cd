"""CI: `sam build` packages what `make run` runs (issue 21).

1. ``sam build`` as deployed (arm64), offline, no Docker (the runtime's python3.12 on PATH).
   Its layer must hold wheels built for the runtime: every binary wheel tagged ``cp312`` (or
   the stable ABI) and ``aarch64`` — an x86_64 or cp311 wheel would fail in Lambda only.
2. The same template and pins built for this host's architecture (template parameter
   ``Architecture=x86_64``, the layer Makefile's ``PLATFORM``): arm64 wheels (pydantic_core,
   argon2-cffi, …) cannot be imported here (TRAPS.md), these can.
3. Every function of the template (``AWS::Serverless::Function``, whatever other areas add)
   is imported from that build in a fresh interpreter whose path is only the function's
   built code, the built layer (``/opt/python`` in Lambda) and the Lambda runtime's own
   boto3/botocore: a dependency missing from layers/shared/requirements.txt, a module left
   out of the layer or a function importing from the repo fails here.

Run by .ci/run as ``make build-check``; prints its timings.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from infra.local.template import REPO_ROOT, Template

SAM = REPO_ROOT / ".venv-tools" / "bin" / "sam"
DEPLOYED_BUILD = REPO_ROOT / ".aws-sam" / "build"
HOST_BUILD = REPO_ROOT / ".aws-sam" / "build-host"
RUNTIME_PACKAGES = ("boto3", "botocore")  # provided by the Lambda runtime, not by the layer
DEPLOYED_ARCH, DEPLOYED_WHEEL_ARCH = "arm64", "aarch64"
HOST_PLATFORMS = {"x86_64": ("x86_64", "manylinux2014_x86_64"),
                  "aarch64": ("arm64", "manylinux2014_aarch64")}
_IMPORT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
assert callable(getattr(module, sys.argv[2])), "no handler " + sys.argv[2]
"""


def _sam_build(build_dir: Path, architecture: str, wheel_platform: str) -> float:
    started = time.monotonic()
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PLATFORM": wheel_platform,
           "AWS_DEFAULT_REGION": "eu-west-3"}
    command = [str(SAM), "build", "--template", "template.yaml", "--build-dir", str(build_dir),
               "--cache-dir", str(build_dir.parent / f"cache-{architecture}"), "--cached",
               "--parallel", "--parameter-overrides", f"Architecture={architecture}"]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"sam build ({architecture}) failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def wrong_wheels(layer_site: Path, wheel_arch: str) -> list[str]:
    """Binary wheels of the built layer not made for CPython 3.12 on ``wheel_arch``."""
    wrong = []
    for wheel in sorted(layer_site.glob("*.dist-info/WHEEL")):
        lines = wheel.read_text().splitlines()
        if "Root-Is-Purelib: true" in lines:
            continue
        tags = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
        fits = [tag for tag in tags if wheel_arch in tag and (
            tag.startswith("cp312-") or "-abi3-" in tag)]
        if not fits:
            wrong.append(f"{wheel.parent.name}: {', '.join(tags) or 'no tag'}")
    return wrong


def _runtime_site() -> Path:
    """boto3/botocore at the dev pins (the Lambda runtime's), installed once."""
    pins = [line.strip() for line in (REPO_ROOT / "requirements-dev.txt").read_text().splitlines()
            if line.split("==")[0].strip() in RUNTIME_PACKAGES]
    site = REPO_ROOT / ".local" / "lambda-runtime" / hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    if not (site / ".complete").exists():
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--target", str(site), *pins], check=True)
        (site / ".complete").touch()
    return site


def import_failures(template: Template, build_dir: Path) -> list[str]:
    """Every function imported from ``build_dir`` with only its code, the layer and the runtime."""
    layer = build_dir / "SharedLayer" / "python"
    runtime = _runtime_site()
    failures = []
    for function in template.functions:
        code = build_dir / function.logical_id
        module, handler = function.handler.rsplit(".", 1)
        path = code / f"{module}.py"
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(map(str, (code, layer, runtime))),
               "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3", "STAGE": "dev",
               "TABLE_NAME": "khadamat", "POWERTOOLS_TRACE_DISABLED": "true",
               "POWERTOOLS_SERVICE_NAME": "khadamat", "LAMBDA_TASK_ROOT": str(code),
               **{key: value for key, value in function.environment.items() if isinstance(value, str)}}
        done = subprocess.run([sys.executable, "-S", "-c", _IMPORT, str(path), handler],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            failures.append(f"{function.logical_id}: {done.stderr.strip().splitlines()[-1:]}")
    return failures


def main() -> None:
    if not SAM.exists():
        sys.exit(f"{SAM.relative_to(REPO_ROOT)} missing: `make lint` (or `make {SAM.relative_to(REPO_ROOT)}`) installs it")
    template = Template()
    host_arch, host_platform = HOST_PLATFORMS[platform.machine()]
    timings = {"sam build (arm64)": _sam_build(DEPLOYED_BUILD, DEPLOYED_ARCH, "manylinux2014_aarch64")}
    wrong = wrong_wheels(DEPLOYED_BUILD / "SharedLayer" / "python", DEPLOYED_WHEEL_ARCH)
    if wrong:
        sys.exit("the deployed layer holds wheels Lambda (python3.12, arm64) cannot load:\n  " + "\n  ".join(wrong))
    timings[f"sam build ({host_arch})"] = _sam_build(HOST_BUILD, host_arch, host_platform)
    started = time.monotonic()
    failures = import_failures(template, HOST_BUILD)
    timings[f"import {len(template.functions)} functions"] = time.monotonic() - started
    print("build check: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    if failures:
        sys.exit("built functions that do not import with only the layer:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    main()
