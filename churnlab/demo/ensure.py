"""Use a demo data directory, generating it first when missing, and never reuse one made at
another size without saying so."""

from __future__ import annotations

import json
from pathlib import Path

from churnlab.demo.generator import generate_demo
from churnlab.demo.spec import DemoSpec
from churnlab.errors import SpecError

#: The file in a demo directory that records the spec it was generated with.
SPEC_FILE = "demo_spec.json"


def ensure_demo(data_dir: str | Path, spec: DemoSpec | None = None) -> Path:
    """The demo operator in ``data_dir``: generated with ``spec`` when the folder has no data,
    reused when it was made with the same spec, refused when it was made with another.

    A folder with data but no record of a spec (your own data, or a demo from before the record)
    is used as it is.

    Parameters
    ----------
    data_dir:
        The demo's folder.
    spec:
        Its size and seed (default: ``DemoSpec()``, 20,000 customers × 36 months, seed 7).

    Returns
    -------
    pathlib.Path
        ``data_dir``.

    Raises
    ------
    SpecError
        When ``data_dir`` holds a demo generated with another spec.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = ensure_demo(tmp + "/demo", DemoSpec(customers=200, months=13))
    ...     ensure_demo(tmp + "/demo", DemoSpec(customers=300, months=13))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: .../demo holds the demo of 200 customers × 13 months (seed 7); this asks for 300 customers × 13 months (seed 7). Point data_dir at another folder, or delete this one.
    """
    spec = spec or DemoSpec()
    folder = Path(data_dir)
    record = folder / SPEC_FILE
    if record.exists():
        made = DemoSpec.from_dict(json.loads(record.read_text(encoding="utf-8")))
        if made != spec:
            raise SpecError(
                f"{folder} holds the demo of {_size(made)}; this asks for {_size(spec)}. "
                "Point data_dir at another folder, or delete this one."
            )
        return folder
    if (folder / "churnlab.toml").exists():
        return folder
    generate_demo(folder, spec)
    record.write_text(json.dumps(spec.to_dict(), indent=2) + "\n", encoding="utf-8")
    return folder


def _size(spec: DemoSpec) -> str:
    return f"{spec.customers:,} customers × {spec.months} months (seed {spec.seed})"
