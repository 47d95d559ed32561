"""Checks that .github/workflows/ci.yml is valid YAML whose jobs run on
Linux, macOS and Windows runners, include the MSRV job, and run the isolation
tests on the macOS runner (run by .ci/run)."""
import sys
from pathlib import Path

import yaml

path = Path(__file__).resolve().parent.parent / ".github/workflows/ci.yml"
workflow = yaml.safe_load(path.read_text())
runners = set()
for name, job in workflow["jobs"].items():
    runs_on = job["runs-on"]
    if "matrix." in str(runs_on):
        runners.update(job["strategy"]["matrix"]["os"])
    else:
        runners.add(runs_on)
missing = {"ubuntu-latest", "macos-latest", "windows-latest"} - runners
if missing:
    sys.exit(f"{path}: no job runs on {sorted(missing)}")
if "msrv" not in workflow["jobs"]:
    sys.exit(f"{path}: no msrv job")
# The macOS backend of isolation runs nowhere else: a step of a job on the
# macOS runner must run the isolation tests.
isolation_on_macos = any(
    "--test isolation" in str(step.get("run", ""))
    and "macOS" in str(step.get("if", ""))
    for job in workflow["jobs"].values()
    for step in job.get("steps", [])
)
if not isolation_on_macos:
    sys.exit(f"{path}: no step runs the isolation tests on the macOS runner")
print(f"check-workflow: {len(workflow['jobs'])} jobs on {sorted(runners)}")
