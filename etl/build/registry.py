"""Build steps that declare their inputs and outputs and skip when nothing changed.

A step's **inputs** are files and folders (hashed by content, recursively, outputs excluded)
and installed distributions (hashed by version: the resources they ship, such as
spacy-lookups-data's tables, are what a step reads). After a build the step writes a manifest
beside its first output, ``.<name>.build.json``, holding the inputs' hash, each input file's
and each output's hash (``changed_inputs`` names what changed since). The next build of the
same step is skipped when the inputs hash the same and every output is still the file the
manifest names; ``force`` builds regardless.
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
    changed: tuple[str, ...] = ()  # what made a build necessary (``changed_inputs``)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(inputs: Iterable[Path], excluded: Iterable[Path]) -> dict[str, Path]:
    """Every file of the inputs (folders recursively), outputs and manifests left out, by its
    ``display_path`` and sorted by it: the order, like the names, is the same on every checkout
    (sorting by absolute path put the repository's files before or after the machine's, such as
    /usr/share/wordnet, depending on where the repository lies)."""
    skip = {path.resolve() for path in excluded}
    files = {}
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
                files[display_path(resolved, entry.resolve())] = resolved
    return dict(sorted(files.items()))


def display_path(path: Path, entry: Path) -> str:
    """A path as the same on every checkout: relative to the repository when inside it, else
    relative to the folder holding the input ``entry`` it was found under ("gum_more_dev/x.txt",
    "data.noun")."""
    if path.is_relative_to(REPO_ROOT):
        return str(path.relative_to(REPO_ROOT))
    if path.is_relative_to(entry.parent):
        return str(path.relative_to(entry.parent))
    return path.name  # a link out of its folder


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def input_hashes(step: BuildStep, inputs: tuple[Path, ...] | None = None) -> dict[str, str]:
    """Each input file's content hash, by ``display_path``, in the order they are hashed;
    ``inputs``: only these of the step's inputs (default: all of them)."""
    inputs = step.inputs if inputs is None else inputs
    missing = [path for path in inputs if not path.exists()]
    if missing:
        raise FileNotFoundError(f"{step.name}: input {missing[0]} does not exist")
    files = input_files(inputs, step.outputs)
    return {name: file_sha256(path) for name, path in files.items()}


def inputs_sha256(step: BuildStep, hashes: dict[str, str] | None = None) -> str:
    """One hash over the inputs' contents (by path relative to the repository), the package
    versions and the parameters: equal hashes mean the step would build the same outputs.
    ``hashes``: the step's ``input_hashes`` when the caller has them already."""
    digest = hashlib.sha256()
    for name, content in (input_hashes(step) if hashes is None else hashes).items():
        digest.update(f"file {name} {content}\n".encode())
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


def changed_inputs(
    step: BuildStep, repository_only: bool = False, hashes: dict[str, str] | None = None
) -> list[str]:
    """The inputs (files by ``display_path``, "package NAME") that differ from what the last
    build recorded, new ones and gone ones included: why a step is stale. ``repository_only``
    leaves out the machine's files outside the repository (WordNet's dictionary) and the
    package versions, for checking that the committed outputs follow the committed sources.
    ``hashes``: the step's ``input_hashes`` when the caller has them already."""
    manifest = read_manifest(step) or {}
    recorded = manifest.get("inputs", {})
    if repository_only:
        # The machine's files may be missing (a machine without WordNet runs the tests too):
        # compare the files under the step's repository inputs only, gone ones included.
        entries = repository_inputs(step)
        prefixes = tuple(str(entry.resolve().relative_to(REPO_ROOT)) for entry in entries)
        current = input_hashes(step, entries) if hashes is None else hashes
        current = {name: content for name, content in current.items() if _under(name, prefixes)}
        recorded = {name: content for name, content in recorded.items() if _under(name, prefixes)}
    else:
        current = input_hashes(step) if hashes is None else hashes
    changed = [
        name
        for name in sorted(recorded.keys() | current.keys())
        if recorded.get(name) != current.get(name)
    ]
    if repository_only:
        return changed
    packages = manifest.get("packages", {})
    changed += [
        f"package {name}"
        for name in sorted(step.packages)
        if packages.get(name) != package_version(name)
    ]
    return changed


def repository_inputs(step: BuildStep) -> tuple[Path, ...]:
    """The step's input files and folders inside the repository (not WordNet's dictionary, not
    the shared data beside the repository)."""
    return tuple(path for path in step.inputs if path.resolve().is_relative_to(REPO_ROOT))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a ``display_path`` names a file of one of the repository inputs whose paths
    relative to the repository are ``prefixes``."""
    return any(name == prefix or name.startswith(prefix + "/") for prefix in prefixes)


def write_manifest(step: BuildStep, hashes: dict[str, str]) -> None:
    """Record what the outputs were built from: ``hashes`` are the inputs' ``input_hashes``
    read before the build."""
    manifest = {
        "step": step.name,
        "inputs_sha256": inputs_sha256(step, hashes),
        "inputs": hashes,
        "packages": {name: package_version(name) for name in sorted(step.packages)},
        "params": step.params,
        "outputs": {path.name: file_sha256(path) for path in step.outputs},
    }
    step.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def run_step(step: BuildStep, force: bool = False) -> BuildOutcome:
    """Build ``step`` unless its inputs are unchanged since its outputs were built."""
    hashes = input_hashes(step)
    inputs_hash = inputs_sha256(step, hashes)
    if not force and is_up_to_date(step, inputs_hash):
        return BuildOutcome(step.name, False, inputs_hash, step.outputs)
    changed = tuple(changed_inputs(step, hashes=hashes))
    step.build()
    missing = [path for path in step.outputs if not path.is_file()]
    if missing:
        raise RuntimeError(f"{step.name}: the build did not write {missing[0]}")
    write_manifest(step, hashes)
    return BuildOutcome(step.name, True, inputs_hash, step.outputs, changed)
