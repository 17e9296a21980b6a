"""schemathesis against /api/schema/, once with an Ingest token and once with an Admin token.

Every operation, RELIABILITY_EXAMPLES (100) examples each in the fuzzing phase, after the examples
and coverage phases. The checks are the ones about the server and its schema: no 5xx, every status
code, content type, header and body as the schema declares them. schemathesis's two checks on how
strictly a request is validated (ST201 / ST202) are left out: an opaque cursor or a sort key cannot
be told apart from garbage in OpenAPI, so they would count as findings what is by design.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from .stage import BASE, ROOT

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)
EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "100"))
MAX_SECONDS = int(os.environ.get("RELIABILITY_FUZZ_SECONDS", "900"))


def command(token: str, report: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{BASE}/api/schema/",
        "-H",
        f"Authorization: Token {token}",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "20261203",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "2",
        "--max-time",
        str(MAX_SECONDS),
        "--no-color",
    ]


def run(role: str, token: str) -> dict:
    report = ROOT / "var" / "reliability" / f"schemathesis-{role}.txt"
    done = subprocess.run(command(token, report), cwd=ROOT, capture_output=True, text=True, check=False)
    report.write_text(done.stdout + done.stderr)
    text = done.stdout
    failures = dict(
        re.findall(r"(ST\d{3}) [^:\n]+: (\d+)", text.split("Failures:", 1)[1] if "Failures:" in text else "")
    )
    generated = re.search(r"(\d+) generated", text)
    operations = re.search(r"Tested: (\d+)", text)
    return {
        "role": role,
        "exit": done.returncode,
        "operations": int(operations[1]) if operations else 0,
        "cases": int(generated[1]) if generated else 0,
        "server_errors": int(failures.get("ST101", 0)),
        "schema_violations": sum(int(count) for code, count in failures.items() if code != "ST101"),
        "log": str(report.relative_to(ROOT)),
    }
