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
import json
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
_IMPORT_ALL = """
import importlib.util, json, sys, traceback
base = list(sys.path)
failures = []
for logical_id, code, path, handler in json.loads(sys.argv[1]):
    sys.path[:] = [code, *base]  # the function's own code first, as /var/task in Lambda
    try:
        spec = importlib.util.spec_from_file_location("app_" + logical_id, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert callable(getattr(module, handler)), "no handler " + handler
    except BaseException as error:
        failures.append(logical_id + ": " + "".join(traceback.format_exception_only(error)).strip())
print(json.dumps(failures))
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
    """Every function imported from ``build_dir`` with only its code, the layer and the runtime's
    boto3 on the path (``python -S``: no site-packages). One interpreter for all of them: the
    layer is shared anyway, and 63 interpreter starts cost minutes on a busy CI machine."""
    layer = build_dir / "SharedLayer" / "python"
    functions = [(f.logical_id, str(build_dir / f.logical_id),
                  str(build_dir / f.logical_id / (f.handler.rsplit(".", 1)[0] + ".py")),
                  f.handler.rsplit(".", 1)[1]) for f in template.functions]
    environment = {key: value for f in template.functions for key, value in f.environment.items()
                   if isinstance(value, str)}
    env = {**environment, "PATH": os.environ.get("PATH", ""),
           "PYTHONPATH": os.pathsep.join(map(str, (layer, _runtime_site()))),
           "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3", "STAGE": "dev",
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "khadamat"}
    done = subprocess.run([sys.executable, "-S", "-c", _IMPORT_ALL, json.dumps(functions)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"the import run failed: {done.stderr[-2000:]}"]
    return json.loads(done.stdout.strip().splitlines()[-1])


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
