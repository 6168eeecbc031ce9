"""Scoring a graph against a gold file, exactly as docs/data-model.md "Gold files and scoring" says."""
from kg.eval.scoring import Scores, load_gold, score_graph

__all__ = ["Scores", "load_gold", "score_graph"]
