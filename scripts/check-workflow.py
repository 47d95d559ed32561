"""Checks that .github/workflows/ci.yml is valid YAML whose jobs run on
Linux, macOS and Windows runners and include the MSRV job (run by .ci/run)."""
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
print(f"check-workflow: {len(workflow['jobs'])} jobs on {sorted(runners)}")
