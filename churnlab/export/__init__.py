"""Files other people open: atomic writes (a failed run never leaves half a file)."""

from churnlab.export.files import atomic_path, write_table

__all__ = ["atomic_path", "write_table"]
