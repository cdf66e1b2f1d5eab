"""Steps to converge: the one definition the guide and its figures use (glossary: "Steps to
converge")."""

from __future__ import annotations

import numpy as np


def steps_to_converge(tr, tol: float) -> np.ndarray:
    """Per run, the first step from which the run stays within ``tol`` of a minimum; -1 if never.

    A run has converged at step ``s`` if it is within ``tol`` (Euclidean) of a minimum of its
    landscape at step ``s`` and at every later step of its budget. A run that only passes through
    the target, or is still outside it at the last step, has not converged (-1).
    ``Trajectory.steps_to_reach`` counts something else, the first arrival.

    Parameters
    ----------
    tr : optdocs.simulate.Trajectory
        The runs (``tr.positions`` of shape ``(steps + 1, runs, dim)``, ``tr.landscape.minima``).
    tol : float
        The distance to a minimum that counts as arrived.

    Returns
    -------
    ndarray of int, shape (runs,)
    """
    m = tr.landscape.minima
    dist = np.linalg.norm(tr.positions[:, :, None, :] - m, axis=-1).min(axis=-1)  # (steps+1, runs)
    far = dist > tol
    n = far.shape[0]
    last_far = np.where(far.any(axis=0), n - 1 - np.argmax(far[::-1], axis=0), -1)
    return np.where(last_far == n - 1, -1, last_far + 1)
