"""Sharded transfers beyond one process: `upload` and `download` on Dask or local processes.

The driver plans deterministic shards (`vi_ext.distributed.planner`: by filename hash, stable
when files are added), an engine runs one idempotent transfer per shard (`engines`: ``"dask"``,
``"local"``), finished upload shards are recorded (`ledger`) so a re-run skips them, and the
shards' results are merged into one report. See the README's "Scaling out".
"""

from vi_ext.distributed.downloads import download
from vi_ext.distributed.uploads import upload

__all__ = ["download", "upload"]
