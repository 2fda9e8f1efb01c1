"""Sharded transfers beyond one process (issue 17, in progress).

Today: the deterministic shard planner (`vi_ext.distributed.planner`) and the ledger of finished
shards (`vi_ext.distributed.ledger`). The engines (`local`, `dask`) and the public
``distributed.upload`` / ``distributed.download`` build on them.
"""
