"""Helpers for tests, the demo, the contract run and the bench; not used by the server itself.

* `vi_server.testing.process`: the server in a subprocess on a free loopback port;
* `vi_server.testing.proxy`: a forwarding proxy that can rewrite JSON answers (server drift);
* `vi_server.testing.seed`: fill a dataset with many assets directly in the data directory.
"""
