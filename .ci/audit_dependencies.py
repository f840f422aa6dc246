"""pip-audit over the installed environment: fail on any known vulnerability, and say plainly
when the vulnerability database could not be reached (every dependency skipped), instead of
printing pip-audit's "No known vulnerabilities found" for an audit that did not happen."""

import json

# Runs pip-audit from this venv with fixed arguments (no shell, no user input).
import subprocess  # nosec B404
import sys

command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--skip-editable", "-f", "json"]
result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603  # nosec B603
try:
    report = json.loads(result.stdout)
except json.JSONDecodeError:
    print("pip-audit: the vulnerability database could not be reached; dependencies NOT audited.")
    print(result.stderr.strip().splitlines()[-1:] or "")
    sys.exit(0)

dependencies = report.get("dependencies", [])
audited = [d for d in dependencies if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
for dep in vulnerable:
    for vuln in dep["vulns"]:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
if not audited:
    print(
        f"pip-audit: the vulnerability database could not be reached from this machine; "
        f"{len(dependencies)} dependencies NOT audited."
    )
    sys.exit(0)
print(f"pip-audit: {len(audited)} dependencies audited, {len(vulnerable)} with known vulnerabilities.")
sys.exit(1 if vulnerable else 0)
