"""Files people open, written safely: neutralised text, CSV/XLSX/Parquet, manifests, atomic
export directories.

This stage knows nothing about churn or campaigns: it writes any table. Text that a
spreadsheet could read as a formula is neutralised in CSV and XLSX (:mod:`.safe`), Parquet
keeps every value as given (:mod:`.writers`), and :func:`write_export` puts a whole export
directory in place at once, with a ``manifest.json`` of checksums (:mod:`.manifest`).

>>> import pathlib, tempfile
>>> import pandas as pd
>>> frame = pd.DataFrame({"customer_id": ["00123", "=1+1"], "value": [-2.5, 10.0]})
>>> out = write_export(
...     pathlib.Path(tempfile.mkdtemp()) / "list",
...     kind="demo",
...     files={"list.csv": lambda path: write_csv(frame, path),
...            "list.xlsx": lambda path: write_xlsx(frame, path)},
...     manifest={"created_at": "2025-06-30T12:00:00Z", "rows": len(frame)},
... )
>>> sorted(p.name for p in out.iterdir()), verify_manifest(out)
(['list.csv', 'list.xlsx', 'manifest.json'], [])
"""

from churnlab.export.directory import FORMAT_VERSION, check_export_target, write_export
from churnlab.export.manifest import (
    MANIFEST,
    file_entries,
    read_manifest,
    sha256_file,
    software_versions,
    verify_manifest,
)
from churnlab.export.safe import (
    FORMULA_STARTS,
    LEADING_IGNORED,
    is_formula_like,
    neutralise,
    neutralise_frame,
    neutralise_series,
)
from churnlab.export.writers import (
    EXCEL_MAX_DATA_ROWS,
    WORKBOOK_OPTIONS,
    write_csv,
    write_parquet,
    write_xlsx,
)

__all__ = [
    "EXCEL_MAX_DATA_ROWS",
    "FORMAT_VERSION",
    "FORMULA_STARTS",
    "LEADING_IGNORED",
    "MANIFEST",
    "WORKBOOK_OPTIONS",
    "check_export_target",
    "file_entries",
    "is_formula_like",
    "neutralise",
    "neutralise_frame",
    "neutralise_series",
    "read_manifest",
    "sha256_file",
    "software_versions",
    "verify_manifest",
    "write_csv",
    "write_export",
    "write_parquet",
    "write_xlsx",
]
