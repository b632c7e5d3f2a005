"""Adds up the test counts that cargo, pytest, node --test and Maven Surefire
printed into the given log files, and prints one closing line:
`total: N passed, N failed`."""

import re
import sys

PATTERNS = [
    # cargo: "test result: ok. 31 passed; 0 failed; 0 ignored; ..."
    (re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed"), "cargo"),
    # node --test: "# pass 12" and "# fail 0"
    (re.compile(r"^# pass (\d+)$"), "node-pass"),
    (re.compile(r"^# fail (\d+)$"), "node-fail"),
    # Surefire per-module results: "Tests run: 14, Failures: 0, Errors: 0, Skipped: 0" without "Time elapsed".
    (re.compile(r"^\[\w+\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: \d+$"), "surefire"),
]
# pytest's closing line: "==== 40 passed, 1 failed in 3.2s ====", any order.
PYTEST = re.compile(r"^=+ (.*) in [\d.]+s")


def count(paths):
    passed = failed = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                line = line.rstrip("\n")
                for pattern, kind in PATTERNS:
                    match = pattern.match(line)
                    if not match:
                        continue
                    numbers = [int(g) for g in match.groups()]
                    if kind == "cargo":
                        passed += numbers[0]
                        failed += numbers[1]
                    elif kind == "node-pass":
                        passed += numbers[0]
                    elif kind == "node-fail":
                        failed += numbers[0]
                    elif kind == "surefire":
                        run, failures, errors = numbers
                        passed += run - failures - errors
                        failed += failures + errors
                match = PYTEST.match(line)
                if match:
                    for amount, word in re.findall(r"(\d+) (passed|failed|error|errors)", match.group(1)):
                        if word == "passed":
                            passed += int(amount)
                        else:
                            failed += int(amount)
    return passed, failed


if __name__ == "__main__":
    passed, failed = count(sys.argv[1:])
    print(f"total: {passed} passed, {failed} failed")
