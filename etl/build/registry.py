"""Build steps that declare their inputs and outputs and skip when nothing changed.

A step's **inputs** are files and folders (hashed by content, recursively, outputs excluded)
and installed distributions (hashed by version: the resources they ship, such as
spacy-lookups-data's tables, are what a step reads). After a build the step writes a manifest
beside its first output, ``.<name>.build.json``, holding the inputs' hash and each output's
hash. The next build of the same step is skipped when the inputs hash the same and every output
is still the file the manifest names; ``force`` builds regardless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Never inputs: caches and the manifests themselves.
IGNORED_PARTS = ("__pycache__",)
MANIFEST_SUFFIX = ".build.json"


@dataclass(frozen=True)
class BuildStep:
    """One build: what it reads, what it writes, and the function that writes it."""

    name: str
    inputs: tuple[Path, ...]
    outputs: tuple[Path, ...]
    build: Callable[[], None]
    packages: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)  # other settings that shape the output

    @property
    def manifest_path(self) -> Path:
        return self.outputs[0].parent / f".{self.name}{MANIFEST_SUFFIX}"


@dataclass(frozen=True)
class BuildOutcome:
    name: str
    built: bool  # False: skipped, nothing changed
    inputs_sha256: str
    outputs: tuple[Path, ...]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(inputs: Iterable[Path], excluded: Iterable[Path]) -> list[Path]:
    """Every file of the inputs (folders recursively), outputs and manifests left out, sorted."""
    skip = {path.resolve() for path in excluded}
    files = set()
    for entry in inputs:
        candidates = entry.rglob("*") if entry.is_dir() else [entry]
        for path in candidates:
            resolved = path.resolve()
            if (
                path.is_file()
                and resolved not in skip
                and not path.name.endswith(MANIFEST_SUFFIX)
                and not any(part in IGNORED_PARTS for part in path.parts)
            ):
                files.add(resolved)
    return sorted(files)


def display_path(path: Path) -> str:
    """A path as the same on every checkout: relative to the repository when inside it."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else path.name


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def inputs_sha256(step: BuildStep) -> str:
    """One hash over the inputs' contents (by path relative to the repository), the package
    versions and the parameters: equal hashes mean the step would build the same outputs."""
    missing = [path for path in step.inputs if not path.exists()]
    if missing:
        raise FileNotFoundError(f"{step.name}: input {missing[0]} does not exist")
    digest = hashlib.sha256()
    for path in input_files(step.inputs, step.outputs):
        digest.update(f"file {display_path(path)} {file_sha256(path)}\n".encode())
    for name in sorted(step.packages):
        digest.update(f"package {name} {package_version(name)}\n".encode())
    for key, value in sorted(step.params.items()):
        digest.update(f"param {key} {value}\n".encode())
    return digest.hexdigest()


def read_manifest(step: BuildStep) -> dict | None:
    try:
        return json.loads(step.manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_up_to_date(step: BuildStep, inputs_hash: str) -> bool:
    manifest = read_manifest(step)
    if manifest is None or manifest.get("inputs_sha256") != inputs_hash:
        return False
    recorded = manifest.get("outputs", {})
    return all(
        path.is_file() and recorded.get(path.name) == file_sha256(path) for path in step.outputs
    )


def write_manifest(step: BuildStep, inputs_hash: str) -> None:
    manifest = {
        "step": step.name,
        "inputs_sha256": inputs_hash,
        "packages": {name: package_version(name) for name in sorted(step.packages)},
        "params": step.params,
        "outputs": {path.name: file_sha256(path) for path in step.outputs},
    }
    step.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def run_step(step: BuildStep, force: bool = False) -> BuildOutcome:
    """Build ``step`` unless its inputs are unchanged since its outputs were built."""
    inputs_hash = inputs_sha256(step)
    if not force and is_up_to_date(step, inputs_hash):
        return BuildOutcome(step.name, False, inputs_hash, step.outputs)
    step.build()
    missing = [path for path in step.outputs if not path.is_file()]
    if missing:
        raise RuntimeError(f"{step.name}: the build did not write {missing[0]}")
    write_manifest(step, inputs_hash)
    return BuildOutcome(step.name, True, inputs_hash, step.outputs)
