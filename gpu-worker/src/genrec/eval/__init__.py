"""Evaluation: full-ranking Recall/NDCG@k over all items and ranked-list metrics (invalid@k, SID hits)."""

from genrec.eval.evaluate import EvalResult, evaluate_lists, evaluate_scores
from genrec.eval.lists import INVALID, list_ranks, ranks_from_hits, sid_list_ranks
from genrec.eval.ranking import KS, MISS, RankingMetrics, metrics_from_ranks, target_ranks

__all__ = [
    "INVALID",
    "KS",
    "MISS",
    "EvalResult",
    "RankingMetrics",
    "evaluate_lists",
    "evaluate_scores",
    "list_ranks",
    "metrics_from_ranks",
    "ranks_from_hits",
    "sid_list_ranks",
    "target_ranks",
]
