"""Write the requirements (runtime and dev) of projects baked from this template, one a line.

Usage: python .ci/generated_requirements.py OUTPUT BROKER...  (celery_broker values to bake)

The slow tests run each baked project's own suite with the interpreter of the template's tests,
so that interpreter needs the union of what the projects declare; the projects themselves are
not installed (the tests put them on PYTHONPATH).
"""

import sys
import tempfile
import tomllib
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent


def declared_requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    return [*project["dependencies"], *project.get("optional-dependencies", {}).get("dev", [])]


def baked_requirements(broker: str, workdir: Path) -> list[str]:
    project = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context={"celery_broker": broker},
        output_dir=str(workdir / broker),
        config_file=str(workdir / "config.yaml"),
    )
    return declared_requirements(Path(project) / "pyproject.toml")


def main(output: Path, brokers: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # Keep cookiecutter's replay files out of the home directory.
        (workdir / "config.yaml").write_text(f"replay_dir: {workdir / 'replay'}\n")
        requirements = {req for broker in brokers for req in baked_requirements(broker, workdir)}
    # A file, not stdout: the post-gen hook prints its next steps there.
    output.write_text("".join(f"{requirement}\n" for requirement in sorted(requirements)))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
