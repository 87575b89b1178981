"""Scaling float costs to the int64 costs that OR-Tools, CP-SAT and exact network simplex need.

The rule (documented in :func:`hemopt.flow.min_cost_assignment` and ``docs/assignment.md``):

* Costs are multiplied by ``scale`` and rounded to the nearest integer.
* By default ``scale`` is the largest power of ten that keeps the largest scaled unit cost at or
  below ``min(1e12, (2**63 - 1) / (16 * headroom))``, where ``headroom`` is what the solver
  multiplies costs by internally (number of nodes + 1 and total flow for min-cost flow, number
  of objective terms for CP-SAT). A power of ten keeps costs with few decimals exact.
* Every solution's scaled cost differs from ``scale`` x its true cost by at most the rounding
  residuals along its flow, so the solution found is within ``error_bound`` (in the original
  units) of the true optimum. The flow backends tighten that bound after solving with a dual
  certificate (:func:`hemopt.flow.backends.dual_error_bound`).

Offsets first (issue 26): :func:`hemopt.flow.min_cost_assignment` subtracts each client's
cheapest option (its unserved cost included) before scaling
(:func:`hemopt.flow._problem.normalise`), so a constant common to a client's costs
(``1e14 + k``) no longer sets the scale and rounds the ``k`` away. The optimum is unchanged:
every assignment costs the same sum of offsets less. An answer is then "optimal" only when the
error bound is at most ``RTOL`` times its offset-free cost, or the least non-zero step of a
client's options (:attr:`ScaledCosts.least`), whichever is larger; an answer at every client's
exact minimum is optimal whatever the rounding.

The range check (issue 19: a cost of 1e13 next to costs of 1 to 5 used to round them all to
multiples of 10 and return a suboptimal assignment as "optimal"). The bound is compared with the
*magnitude* of the problem: the sum over clients of their cheapest |cost| or, when that is 0,
the smallest non-zero |cost|. Huge costs that no optimum needs do not count, so they cannot
hide what rounding does to the small ones.

* Up to ``RTOL`` (1e-6) x magnitude rounding is negligible; an optimal result is reported as
  optimal.
* Up to ``MAX_RTOL`` (1e-3) x magnitude the result is returned as ``"feasible"`` with the bound
  subtracted from ``bound`` (so ``gap`` is honest).
* Beyond that the default scale refuses with an :class:`~hemopt.errors.InputError` naming the
  largest and smallest costs: the costs span more than the integer solver represents exactly.
  A ``scale`` given by the caller warns with :class:`ScalingWarning` instead.

Why refuse rather than fall back to an exact solver: the only exact one at hand is networkx on
Python integers, 40 to 80 times slower (``docs/assignment.md``, Benchmark), not available for
CP-SAT, and the inputs that need it are nearly always a "never" coded as a huge number, which
``allowed=False`` or ``np.inf`` states exactly.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from types import FrameType

import numpy as np
from numpy.typing import NDArray

from hemopt.errors import InputError

INT64_MAX = int(np.iinfo(np.int64).max)
#: Largest scaled |unit cost| aimed for.
COST_TARGET = 1e12
#: Safety factor below the int64 range (sums, potentials and the solvers' own scaling).
SAFETY = 16
#: Relative error (of the magnitude) up to which rounding is negligible: the result may be
#: reported optimal.
RTOL = 1e-6
#: Relative error above which the default scale refuses the costs (InputError).
MAX_RTOL = 1e-3

__all__ = [
    "COST_TARGET",
    "MAX_RTOL",
    "RTOL",
    "ScaledCosts",
    "ScalingWarning",
    "integer_costs",
    "max_scaled_cost",
]


class ScalingWarning(UserWarning):
    """Rounding float costs to integers may change which assignment is optimal.

    Issued when a ``scale`` passed by the caller makes the worst-case cost lost to rounding,
    ``cost_error_bound``, exceed ``RTOL`` (1e-6) times the problem's magnitude (the sum of the
    clients' cheapest |costs|, or the smallest non-zero |cost| when that sum is 0). The result
    is then reported as ``"feasible"`` with that bound in ``bound`` and ``gap``. Pass a larger
    ``scale`` or ``scale=None``.
    """


@dataclass(frozen=True)
class ScaledCosts:
    """Integer unit costs and what the rounding may cost.

    Attributes
    ----------
    values
        The int64 unit costs, ``rint(unit_cost * scale)``.
    scale
        The multiplier used.
    error_bound
        Upper bound, in the original cost units, on how much the optimum of the rounded model
        can cost more than the true optimum.
    cheapest
        Sum over clients of their cheapest |cost| (original units): a lower bound on
        ``sum |cost|`` of any assignment.
    smallest
        The smallest non-zero |cost| of a client's option.
    limit
        The largest scaled |unit cost| that was safe for the solver.
    least
        The smallest non-zero |cost| of a client's option in the costs that were scaled (after
        :func:`hemopt.flow._problem.normalise` subtracted each client's cheapest option, the
        least a client's choice can change the objective); ``smallest`` when not given.

    ``cheapest`` and ``smallest`` describe the caller's costs (before the per-client offsets
    were subtracted): they set the refusal threshold and name the costs in messages.
    """

    values: NDArray[np.int64]
    scale: float
    error_bound: float
    cheapest: float
    smallest: float
    limit: float
    least: float | None = None

    @property
    def magnitude(self) -> float:
        """``max(cheapest, smallest)``: what ``error_bound`` is judged relative to."""
        return max(self.cheapest, self.smallest)

    def describe_magnitude(self) -> str:
        """The magnitude in words, for messages."""
        if self.cheapest > 0:
            return f"the clients' cheapest costs sum to {self.cheapest:.3g}"
        return (
            "the clients' cheapest costs are 0; the smallest non-zero cost is "
            f"{self.smallest:.3g}"
        )

    @property
    def tolerance(self) -> float:
        """``RTOL * least``: rounding below this cannot change which assignment is optimal,
        judged on the offset-free costs (a constant added to a client's costs cannot inflate
        it)."""
        least = self.smallest if self.least is None else self.least
        return RTOL * least

    @property
    def negligible(self) -> bool:
        """True when ``error_bound`` is 0 or within :attr:`tolerance`."""
        return self.error_bound == 0.0 or self.error_bound <= self.tolerance


def max_scaled_cost(headroom: float) -> float:
    """The largest scaled |unit cost| that stays safe for a solver with this ``headroom``."""
    return min(COST_TARGET, INT64_MAX / (SAFETY * max(float(headroom), 1.0)))


def cheapest_costs(
    unit_costs: NDArray[np.float64],
    owner: NDArray[np.intp],
    units: NDArray[np.int64],
    client_units: NDArray[np.int64] | None = None,
) -> tuple[float, float]:
    """``(sum over clients of their cheapest |cost|, smallest non-zero |cost|)``.

    A client's cost of an option is ``client_units[owner] * |unit_costs|`` (``client_units``
    defaults to ``units``; an owner that stands for a group of identical clients sends
    ``units`` in all, ``client_units`` each); an owner without options counts 0. The first is
    a lower bound on ``sum |cost|`` over the clients of any assignment.
    """
    if not unit_costs.size:
        return 0.0, 0.0
    a = np.abs(unit_costs)
    cheapest = np.full(len(units), np.inf)
    np.minimum.at(cheapest, owner, a)
    cheapest[~np.isfinite(cheapest)] = 0.0
    # the smallest non-zero |unit cost| of each owner, times one client's units
    np.copyto(a, np.inf, where=a == 0)
    least = np.full(len(units), np.inf)
    np.minimum.at(least, owner, a)
    least *= units if client_units is None else client_units
    positive = least[np.isfinite(least)]
    smallest = float(positive.min()) if positive.size else 0.0
    return float(np.dot(cheapest, units)), smallest


def integer_costs(
    unit_costs: NDArray[np.float64],
    owner: NDArray[np.intp],
    units: NDArray[np.int64],
    *,
    headroom: float,
    scale: float | None = None,
    client_units: NDArray[np.int64] | None = None,
    reference: tuple[float, float] | None = None,
) -> ScaledCosts:
    """Scale and round ``unit_costs`` to int64.

    Parameters
    ----------
    unit_costs
        Finite cost per unit of flow of each arc.
    owner
        The client each arc belongs to (index into ``units``).
    units
        Units of flow each client sends (its demand; 1 per client for CP-SAT).
    headroom
        The factor the solver multiplies costs by internally.
    scale
        A fixed multiplier, or None to choose the power of ten described in the module doc.
    client_units
        Units of one client of each owner, when an owner stands for a group of identical
        clients (:mod:`hemopt.flow._collapse`); default ``units``.
    reference
        ``(cheapest, smallest)`` of the caller's costs when ``unit_costs`` are offset-free
        costs (:func:`hemopt.flow._problem.normalise`); default: those of ``unit_costs``.

    Raises
    ------
    InputError
        When a given ``scale`` would overflow the solver's int64 range.
    """
    unit_costs = np.asarray(unit_costs, dtype=np.float64)
    max_abs = float(np.max(np.abs(unit_costs))) if unit_costs.size else 0.0
    limit = max_scaled_cost(headroom)
    if scale is None:
        if max_abs == 0.0:
            scale = 1.0
        else:
            k = min(math.floor(math.log10(limit / max_abs)), 300)
            while max_abs * 10.0**k > limit:  # guard against log10 rounding
                k -= 1
            scale = 10.0**k
    elif max_abs * scale > INT64_MAX / SAFETY / max(float(headroom), 1.0):
        raise InputError(
            f"scale={scale!r} makes the largest scaled cost {max_abs * scale:.3g} overflow "
            f"the solver's 64-bit integer range (at most {limit:.3g} is safe here); "
            "pass a smaller scale or None"
        )
    scaled = unit_costs * scale
    rounded = np.rint(scaled)
    values = rounded.astype(np.int64)
    residual = np.abs(np.subtract(scaled, rounded, out=scaled), out=scaled)
    del rounded
    per_owner = np.zeros(len(units), dtype=np.float64)
    if residual.size:
        np.maximum.at(per_owner, owner, residual)
    error_bound = float(2.0 * np.dot(per_owner, units) / scale)
    cheapest, smallest = cheapest_costs(unit_costs, owner, units, client_units)
    least = smallest
    if reference is not None:
        cheapest, smallest = reference
    return ScaledCosts(
        values=values,
        scale=float(scale),
        error_bound=error_bound,
        cheapest=cheapest,
        smallest=smallest,
        limit=float(limit),
        least=least,
    )


def user_stacklevel() -> int:
    """Stack level of the first frame outside ``hemopt.flow`` (for ``warnings.warn``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        frame = frame.f_back
        level += 1
    return level
