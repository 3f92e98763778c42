"""Benchmark: load, resolve and plan GitHub's REST API description (issue 7: <= 3 s).

The spec comes from the npm package `@octokit/openapi` (generated/api.github.com.json,
OpenAPI 3.0.3, ~1,200 operations, ~970 schemas), fetched once with `npm pack` into
bench/.cache/ (ignored by git). Timed steps, each the median of --runs:

  parse    json.loads of the 13 MB file (+ the size cap)
  resolve  build_spec: every $ref inlined once (memoised), the operation model built
  plan     Target.with_spec: every operation turned into a concrete request (path
           parameters filled, required query/header parameters and bodies built)
  audit    the spec-only rules (what `apivigil audit` and inventory.spec-audit run)

With --validate, also times the full openapi-spec-validator validation, which is optional
(`apivigil audit --strict`) because it is an order of magnitude slower.

    .venv/bin/python bench/openapi_github.py [--runs 3] [--validate]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from apivigil.checks.inventory.spec_audit import SpecAudit
from apivigil.checks.inventory.spec_transport import SpecTransport
from apivigil.checks.target import Target
from apivigil.spec.loader import build_spec, parse_document, validate_document
from apivigil.spec.resolver import file_uri, read_text_file

CACHE = Path(__file__).parent / ".cache"
SPEC = CACHE / "package" / "generated" / "api.github.com.json"


def fetch() -> Path:
    """npm pack @octokit/openapi into bench/.cache (once)."""
    if SPEC.exists():
        return SPEC
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    packed = subprocess.run(["npm", "pack", "@octokit/openapi", "--silent"], cwd=CACHE,
                            capture_output=True, text=True, check=True)
    name = packed.stdout.strip().splitlines()[-1]
    with tarfile.open(CACHE / name) as archive:
        member = archive.getmember("package/generated/api.github.com.json")
        archive.extractall(CACHE, members=[member], filter="data")
    return SPEC


def once() -> dict[str, float]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    text = read_text_file(str(SPEC))
    document = parse_document(text, str(SPEC))
    times["parse"] = time.perf_counter() - started
    mark = time.perf_counter()
    spec = build_spec(document, str(SPEC), base_uri=file_uri(str(SPEC)))
    times["resolve"] = time.perf_counter() - mark
    mark = time.perf_counter()
    target = Target.parse("https://127.0.0.1:8443").with_spec(spec)
    times["plan"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    mark = time.perf_counter()
    findings = list(SpecAudit().audit(spec)) + list(SpecTransport().audit(spec))
    times["audit"] = time.perf_counter() - mark
    times["operations"] = len(spec.operations)
    times["planned"] = len(target.concrete_endpoints())
    times["findings"] = len(findings)
    times["schemas"] = len(document["components"]["schemas"])
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validate", action="store_true")
    args = parser.parse_args()
    fetch()
    runs = [once() for _ in range(args.runs)]
    first = runs[0]
    print(f"{SPEC.name}: {first['operations']:.0f} operations, {first['schemas']:.0f} schemas, "
          f"{SPEC.stat().st_size / 2**20:.1f} MiB; {first['planned']:.0f} planned as concrete "
          f"requests; {first['findings']:.0f} audit findings")
    for step in ("parse", "resolve", "plan", "total", "audit"):
        values = [r[step] for r in runs]
        print(f"  {step:<8} median {statistics.median(values):6.2f} s  "
              f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)")
    total = statistics.median(r["total"] for r in runs)
    print(f"load + resolve + plan: {total:.2f} s (target <= 3 s): "
          f"{'OK' if total <= 3 else 'TOO SLOW'}")
    if args.validate:
        document = parse_document(read_text_file(str(SPEC)), str(SPEC))
        started = time.perf_counter()
        validate_document(document, str(SPEC))
        print(f"  optional full validation (openapi-spec-validator): "
              f"{time.perf_counter() - started:.1f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
