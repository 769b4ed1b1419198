"""Ranking and threshold metrics, numpy only."""
import numpy as np


def auc(scores, labels):
    """P(score of a random blurred photo > score of a random sharp one); ties count half."""
    scores = np.asarray(scores, float)
    labels = np.asarray(labels, bool)
    positive, negative = scores[labels], scores[~labels]
    if len(positive) == 0 or len(negative) == 0:
        return None
    greater = (positive[:, None] > negative[None, :]).sum()
    ties = (positive[:, None] == negative[None, :]).sum()
    return (greater + 0.5 * ties) / (len(positive) * len(negative))


def balanced_accuracy(predicted, labels):
    predicted = np.asarray(predicted, bool)
    labels = np.asarray(labels, bool)
    if labels.all() or (~labels).all():
        return None
    return 0.5 * ((predicted[labels]).mean() + (~predicted[~labels]).mean())


def pair_auc(rows, score_of):
    """Within each same-scene group, every (sharp, blurred) pair: blurred ranked higher?"""
    groups = {}
    for row in rows:
        if row.get("pair_id"):
            groups.setdefault((row["source"], row["pair_id"]), []).append(row)
    wins = total = 0.0
    for members in groups.values():
        sharp = [score_of(r) for r in members if r["label"] == "sharp"]
        blurred = [score_of(r) for r in members if r["label"] == "blurred"]
        for s in sharp:
            for b in blurred:
                total += 1
                wins += 1.0 if b > s else 0.5 if b == s else 0.0
    return (wins / total, int(total)) if total else (None, 0)
