"""The Dockerfile cannot be built here (no Docker daemon); what can be checked without one is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_everything_the_image_copies_exists_and_is_not_docker_ignored():
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    copied = [name for line in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M)
              for name in line.split()]
    assert copied, "no COPY lines found"
    for name in copied:
        assert (ROOT / name).exists(), name
        assert name not in ignored, name


def test_the_image_runs_apivigil_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["apivigil"]' in dockerfile
    assert re.search(r"^USER apivigil$", dockerfile, re.M)
    installs = re.findall(r"pip install [^\n]*\n?[^\n]*", dockerfile)
    assert any("-c requirements.lock" in line for line in installs)  # pinned like make setup
