"""Shape the generated project to the answers.

Option-specific pieces are whole files: pruning is driven by the table below (option value ->
files to remove), not by code per option. Then a local `.env`
gets a fresh secret key, and the next steps are printed.
"""

import json
import secrets
import shutil
import sys
from pathlib import Path

# (option, value) -> paths, relative to the project, removed when the option has that value.
REMOVALS = {
    ("celery_broker", "none"): (
        "config/celery.py",
        "{slug}/tenancy/tasks.py",
        "{slug}/items/tasks.py",
        "tests/celery_tasks.py",
        "tests/test_tasks.py",
        "tests/test_worker.py",
    ),
    ("tenant_resolution", "subdomain"): ("tests/test_resolution_header.py",),
    ("tenant_resolution", "header"): ("tests/test_resolution_subdomain.py",),
}


def paths_to_remove(answers: dict) -> list[str]:
    slug = answers["project_slug"]
    return [
        path.format(slug=slug)
        for (option, value), paths in REMOVALS.items()
        if answers.get(option) == value
        for path in paths
    ]


def remove(project: Path, relative: str) -> None:
    path = project / relative
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def prune(project: Path, answers: dict) -> None:
    for relative in paths_to_remove(answers):
        remove(project, relative)


def write_env_file(project: Path) -> None:
    """A local, git-ignored `.env` with a fresh secret key, copied from `.env.example`."""
    example = (project / ".env.example").read_text()
    secret = secrets.token_urlsafe(50)
    (project / ".env").write_text(
        example.replace("DJANGO_SECRET_KEY=change-me", f"DJANGO_SECRET_KEY={secret}")
    )


def next_steps(answers: dict) -> str:
    slug = answers["project_slug"]
    steps = [
        f"cd {slug}",
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[dev]'",
        "python manage.py quickstart  # embedded PostgreSQL/Redis unless URLs are set in .env",
    ]
    if answers["celery_broker"] != "none":
        steps.append("celery -A config.celery worker -l info  # in a second terminal")
    lines = "\n".join(f"    {step}" for step in steps)
    return f"\nCreated {answers['project_name']} in ./{slug}. Next steps:\n\n{lines}\n"


def main() -> int:
    answers = json.loads(r"""{{ cookiecutter | jsonify }}""")
    project = Path.cwd()
    prune(project, answers)
    write_env_file(project)
    print(next_steps(answers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
