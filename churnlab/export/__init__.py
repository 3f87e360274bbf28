"""Files other people open. Atomic writes live in :mod:`churnlab.files`, shared by every stage."""

from churnlab.files import atomic_path, write_table

__all__ = ["atomic_path", "write_table"]
