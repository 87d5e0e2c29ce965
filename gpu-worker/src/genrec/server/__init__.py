"""Local HTTP server for the RPC handlers: `python -m genrec.server`."""
