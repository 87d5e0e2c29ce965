"""Command-line tools over the library (``python -m genrec.tools.<name>``): benchmarks, test-vector
and sample generators. Nothing in the library imports them."""
