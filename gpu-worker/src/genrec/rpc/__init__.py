"""The edge <-> GPU worker RPC: generated wire models (`models`), `handlers`, and the method table
(`registry`) that both runtimes serve.

Deliberately imports nothing, so that `python -m genrec.rpc.codegen` still runs when models.py is
stale or broken: import from the submodules.
"""
