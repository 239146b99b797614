"""``newsetl build``: steps declare inputs and outputs, build once, skip when nothing changed."""

from __future__ import annotations

from inspect import signature
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from etl.build.registry import BuildStep, inputs_sha256, repository_inputs, run_step
from etl.build.steps import STEPS
from etl.cli.main import app, build_command


def counting_step(tmp_path: Path, calls: list[str], scale: int = 1) -> BuildStep:
    source = tmp_path / "in" / "words.txt"
    out = tmp_path / "out" / "model.txt"

    def build() -> None:
        calls.append("built")
        out.parent.mkdir(exist_ok=True)
        out.write_text(source.read_text().upper() * scale)

    return BuildStep(
        name="toy",
        inputs=(source.parent,),
        outputs=(out,),
        build=build,
        packages=("pyarrow",),
        params={"scale": str(scale)},
    )


def make_inputs(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "words.txt").write_text("kazakhstan\n")
    (tmp_path / "out").mkdir()


def test_step_builds_once_then_skips_until_something_changes(tmp_path):
    make_inputs(tmp_path)
    calls: list[str] = []
    step = counting_step(tmp_path, calls)
    assert run_step(step).built and step.outputs[0].read_text() == "KAZAKHSTAN\n"
    assert not run_step(step).built
    assert step.manifest_path.is_file() and calls == ["built"]

    # A changed input, a new file in an input folder, a changed parameter, a tampered output
    # and --force each build again.
    (tmp_path / "in" / "words.txt").write_text("kyrgyzstan\n")
    assert run_step(step).built and not run_step(step).built
    (tmp_path / "in" / "more.txt").write_text("x\n")
    assert run_step(step).built
    assert run_step(counting_step(tmp_path, calls, scale=2)).built
    step.outputs[0].write_text("edited by hand\n")
    assert run_step(step).built
    assert run_step(step, force=True).built
    assert len(calls) == 6


def test_outputs_and_caches_are_not_inputs(tmp_path):
    make_inputs(tmp_path)
    step = counting_step(tmp_path, [])
    before = inputs_sha256(step)
    (tmp_path / "in" / "__pycache__").mkdir()
    (tmp_path / "in" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "in" / ".toy.build.json").write_text("{}")
    assert inputs_sha256(step) == before


def test_missing_output_after_build_is_an_error(tmp_path):
    make_inputs(tmp_path)
    step = BuildStep("bad", (tmp_path / "in",), (tmp_path / "out" / "never.txt",), lambda: None)
    try:
        run_step(step)
    except RuntimeError as exc:
        assert "did not write" in str(exc)
    else:
        raise AssertionError("expected RuntimeError")


def test_build_command_takes_the_steps_typed_options_and_force(tmp_path):
    make_inputs(tmp_path)
    calls: list[str] = []

    def toy(
        scale: Annotated[int, typer.Option("--scale", metavar="N", help="Repeat.")] = 1,
    ) -> BuildStep:
        """A toy step."""
        return counting_step(tmp_path, calls, scale)

    toy_app = typer.Typer(rich_markup_mode=None)
    toy_app.command("toy")(build_command(toy))
    toy_app.command("other")(lambda: None)  # two commands: "toy" stays a subcommand
    runner = CliRunner()
    assert "--scale N" in runner.invoke(toy_app, ["toy", "--help"]).output
    first = runner.invoke(toy_app, ["toy", "--scale", "3"])
    assert first.exit_code == 0 and "toy: built" in first.output
    again = runner.invoke(toy_app, ["toy", "--scale", "3"])
    assert "toy: up to date" in again.output
    forced = runner.invoke(toy_app, ["toy", "--scale", "3", "--force"])
    assert "toy: built" in forced.output and len(calls) == 2
    assert "changed:" not in forced.output  # forced, nothing changed
    (tmp_path / "in" / "words.txt").write_text("astana\n")
    rebuilt = runner.invoke(toy_app, ["toy", "--scale", "3"])
    assert "toy: built" in rebuilt.output and "changed: in/words.txt" in rebuilt.output


def test_every_registered_step_is_a_command_with_declared_outputs():
    listed = CliRunner().invoke(app, ["build", "--help"]).output
    for name, describe in STEPS.items():
        assert name in listed
        step = describe()
        assert step.name == name and step.outputs and step.inputs
        # WordNet's dictionary is the machine's: only a build needs it, not the tests
        assert all(path.exists() for path in repository_inputs(step))


def test_packaged_casing_model_follows_the_repository_sources():
    """The committed model was built from the committed code (WordNet's files and the package
    versions are the machine's: another machine may hold another build of them)."""
    from etl.build.registry import changed_inputs

    assert changed_inputs(STEPS["casing-model"](), repository_only=True) == []


def test_a_manifest_names_the_inputs_that_changed(tmp_path):
    from etl.build.registry import changed_inputs

    make_inputs(tmp_path)
    step = counting_step(tmp_path, [])
    run_step(step)
    assert changed_inputs(step) == []
    (tmp_path / "in" / "words.txt").write_text("changed")
    (tmp_path / "in" / "more.txt").write_text("new")
    assert changed_inputs(step) == ["in/more.txt", "in/words.txt"]
    # Files outside the repository are the machine's, changed or gone: a machine without
    # WordNet checks the committed outputs against the committed sources all the same.
    assert changed_inputs(step, repository_only=True) == []
    (tmp_path / "in" / "words.txt").unlink()
    assert changed_inputs(step, repository_only=True) == []


def test_repository_inputs_count_when_changed_or_gone_and_machine_files_never(
    tmp_path, monkeypatch
):
    from etl.build import registry

    repository, machine = tmp_path / "repo", tmp_path / "machine"
    repository.mkdir()
    machine.mkdir()
    make_inputs(repository)
    (machine / "index.noun").write_text("dictionary\n")
    step = counting_step(repository, [])
    step = BuildStep(step.name, (*step.inputs, machine / "index.noun"), step.outputs, step.build)
    monkeypatch.setattr(registry, "REPO_ROOT", repository.resolve())
    run_step(step)
    (machine / "index.noun").unlink()  # a machine without WordNet
    assert registry.changed_inputs(step, repository_only=True) == []
    (repository / "in" / "more.txt").write_text("new")
    (repository / "in" / "words.txt").unlink()
    assert registry.changed_inputs(step, repository_only=True) == ["in/more.txt", "in/words.txt"]


def test_wordnet_steps_hash_only_the_dictionary_files(tmp_path):
    """Another machine's WordNet folder may hold more (wordnet-gui's program): the steps that
    read WordNet must come out the same there, or every packaged build looks stale."""
    from etl.build.steps import WORDNET_DICTIONARY

    for name in WORDNET_DICTIONARY:
        (tmp_path / name).write_text(f"{name}\n")
    readers = [name for name, step in STEPS.items() if "wordnet" in signature(step).parameters]
    assert {"casing-model", "event-lexicon", "place-aliases"} <= set(readers)
    before = {name: inputs_sha256(STEPS[name](tmp_path)) for name in readers}
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "wnb").write_text("a program")
    (tmp_path / "cntlist.rev").write_text("not read")
    assert {name: inputs_sha256(STEPS[name](tmp_path)) for name in readers} == before
    (tmp_path / "data.noun").write_text("changed\n")
    changed = {name: inputs_sha256(STEPS[name](tmp_path)) for name in readers}
    assert all(changed[name] != before[name] for name in readers)


def test_inputs_hash_the_same_wherever_the_checkout_lies(tmp_path):
    """CI checks out elsewhere: the hash must not depend on how the repository's path sorts
    against a machine folder's (it once did, and every packaged build looked stale there)."""
    machine_file = tmp_path / "m" / "shared.txt"
    machine_file.parent.mkdir()
    machine_file.write_text("machine\n")
    hashes = []
    for root in ("a", "z"):  # one checkout sorts before the machine folder, one after
        (tmp_path / root / "in").mkdir(parents=True)
        (tmp_path / root / "in" / "words.txt").write_text("kazakhstan\n")
        step = BuildStep(
            name="toy",
            inputs=(tmp_path / root / "in", machine_file),
            outputs=(tmp_path / root / "out.txt",),
            build=lambda: None,
        )
        hashes.append(inputs_sha256(step))
    assert hashes[0] == hashes[1]
