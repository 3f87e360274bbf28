"""Count the hostile-input cases by verdict: ``python tests/hostile/count_cases.py``."""

from __future__ import annotations

import collections
import re
import subprocess
import sys


def main() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/hostile",
            "--collect-only",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = re.findall(r"\[(ok|warn|error[^:]*):", out)
    by_verdict = collections.Counter(i.split("-")[0] for i in ids)
    by_code = collections.Counter(i for i in ids if i.startswith("error"))
    print(f"{len(ids)} cases: " + ", ".join(f"{v} {n}" for v, n in sorted(by_verdict.items())))
    for code, n in sorted(by_code.items()):
        print(f"  {code:<40} {n}")


if __name__ == "__main__":
    main()
