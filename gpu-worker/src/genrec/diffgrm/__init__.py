"""DiffGRM (ALGORITHMS.md §3): a masked-diffusion decoder over 4-digit PSE SIDs, trained with OCN
(``ocn``), decoded with CPD (``cpd``, pure functions), trained and tested by ``train``, served by the
``denoise`` RPC from artifacts written by ``serve`` (its latency tool: genrec.tools.diffgrm_latency)."""
