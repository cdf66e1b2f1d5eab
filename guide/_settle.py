"""Steps to converge, the one definition the guide uses (glossary: "Steps to converge").

The function lives in the package (``optdocs.demos.steps_to_converge``) because the momentum
chapter's interactive figure counts steps the same way in the reader's browser; the guide imports
it from there. A run has converged at step ``s`` if it is within ``tol`` (Euclidean) of a minimum
of its landscape at step ``s`` and at every later step of its budget. ``Trajectory.steps_to_reach``
counts something else, the first arrival, which the saddle-point section uses for escape times.
"""

from __future__ import annotations

from optdocs.demos.settle import steps_to_converge

__all__ = ["steps_to_converge"]
