"""A seeded random-utility (multinomial logit) model of how clients rank providers.

Client *i* values provider *j* at

.. math::

    U_{ij} = \\alpha_j + \\beta_q q_j + \\beta_s \\ln s_j - \\beta_d d_{ij} / 1000
             + \\beta_c [j = c_i] + \\varepsilon_{ij},

with :math:`\\alpha_j` a provider constant (brand), :math:`q_j` a quality score (for example
from the municipality's follow-up, green = 1, yellow = 0, red = -1), :math:`s_j` the
provider's market share (word of mouth: large providers are better known), :math:`d_{ij}` the
distance in metres from the client's home to the provider's office, :math:`c_i` the client's
current provider (inertia) and :math:`\\varepsilon_{ij}` i.i.d. Gumbel noise. A client's
ranking is the providers sorted by utility, truncated to ``ranking_length``; choosing by the
first entry reproduces the logit choice probabilities. See ``docs/parameters.md`` for the
default values and their rationale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import softmax

from hemopt.errors import InputError

__all__ = ["ChoiceModel"]


@dataclass(frozen=True)
class ChoiceModel:
    """Parameters of the random-utility choice model.

    Parameters
    ----------
    beta_distance_per_km
        Utility lost per km between home and office (default 0.15: a provider 5 km further
        away is chosen about half as often, other things equal).
    beta_quality
        Utility per unit of quality score (default 0.5).
    beta_share
        Weight of the log market share (default 0.0: the calibrated constants already carry
        the brand; raise it to model word-of-mouth concentration).
    inertia
        Utility of staying with the current provider (default 2.0: few clients switch, as
        the Swedish evaluations of LOV report).
    ranking_length
        How many providers a choosing client ranks (default 3).
    """

    beta_distance_per_km: float = 0.15
    beta_quality: float = 0.5
    beta_share: float = 0.0
    inertia: float = 2.0
    ranking_length: int = 3

    def __post_init__(self) -> None:
        for name in ("beta_distance_per_km", "beta_quality", "beta_share", "inertia"):
            v = getattr(self, name)
            if not np.isfinite(v):
                raise InputError(f"ChoiceModel.{name} must be finite, got {v!r}")
        if self.beta_distance_per_km < 0:
            raise InputError(
                f"ChoiceModel.beta_distance_per_km must be >= 0, got {self.beta_distance_per_km}"
            )
        if int(self.ranking_length) != self.ranking_length or self.ranking_length < 1:
            raise InputError(
                f"ChoiceModel.ranking_length must be a whole number >= 1, "
                f"got {self.ranking_length!r}"
            )

    def systematic_utility(
        self,
        client_xy: np.ndarray,
        provider_xy: np.ndarray,
        *,
        asc: np.ndarray | None = None,
        quality: np.ndarray | None = None,
        share: np.ndarray | None = None,
        current: np.ndarray | None = None,
    ) -> np.ndarray:
        """(n_clients, n_providers) deterministic part of the utility."""
        client_xy = np.asarray(client_xy, dtype=float).reshape(-1, 2)
        provider_xy = np.asarray(provider_xy, dtype=float).reshape(-1, 2)
        n, m = len(client_xy), len(provider_xy)
        u = -self.beta_distance_per_km * cdist(client_xy, provider_xy) / 1000.0
        for name, arr in (("asc", asc), ("quality", quality), ("share", share)):
            if arr is not None and np.shape(arr) != (m,):
                raise InputError(f"{name} must have one value per provider ({m}), "
                                 f"got shape {np.shape(arr)}")
        if asc is not None:
            u += np.asarray(asc, dtype=float)[None, :]
        if quality is not None:
            u += self.beta_quality * np.asarray(quality, dtype=float)[None, :]
        if share is not None and self.beta_share:
            s = np.asarray(share, dtype=float)
            if (s <= 0).any():
                raise InputError("share must be > 0 for every provider when beta_share != 0")
            u += self.beta_share * np.log(s)[None, :]
        if current is not None:
            cur = np.asarray(current)
            if cur.shape != (n,):
                raise InputError(f"current must have one entry per client ({n}), "
                                 f"got shape {cur.shape}")
            rows = np.flatnonzero(cur >= 0)
            u[rows, cur[rows]] += self.inertia
        return u

    def probabilities(self, utility: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        """Logit probabilities of each provider being the first choice."""
        u = np.where(allowed, utility, -np.inf) if allowed is not None else utility
        return softmax(u, axis=1)

    def calibrate_asc(
        self,
        utility: np.ndarray,
        target_share: np.ndarray,
        *,
        allowed: np.ndarray | None = None,
        weight: np.ndarray | None = None,
        tol: float = 1e-9,
        max_iter: int = 2000,
    ) -> np.ndarray:
        """Provider constants that make the expected first-choice shares equal ``target_share``.

        The classic contraction :math:`\\alpha \\leftarrow \\alpha + \\ln(s^*/\\hat s)`
        (Berry 1994). ``weight`` weighs clients (e.g. by hours); shares are of the weight.
        Providers with target 0 get a constant of ``-inf``-like magnitude (-50).
        """
        target = np.asarray(target_share, dtype=float)
        n, m = utility.shape
        if target.shape != (m,) or (target < 0).any() or not np.isclose(target.sum(), 1.0):
            raise InputError(f"target_share must be {m} non-negative values summing to 1, "
                             f"got {target.tolist()}")
        w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
        w = w / w.sum()
        asc = np.zeros(m)
        pos = target > 0
        asc[~pos] = -50.0
        for _ in range(max_iter):
            p = self.probabilities(utility + asc[None, :], allowed)
            got = w @ p
            step = np.log(target[pos]) - np.log(np.maximum(got[pos], 1e-300))
            asc[pos] += step
            if np.max(np.abs(step)) < tol:
                break
        return asc

    def rank(
        self,
        utility: np.ndarray,
        rng: np.random.Generator,
        *,
        allowed: np.ndarray | None = None,
    ) -> np.ndarray:
        """Rankings drawn from the model: (n_clients, ranking_length) provider indices,
        -1 where fewer providers are allowed than ``ranking_length``."""
        n, m = utility.shape
        noisy = utility + rng.gumbel(size=(n, m))
        if allowed is not None:
            noisy = np.where(allowed, noisy, -np.inf)
        k = min(int(self.ranking_length), m)
        order = np.argsort(-noisy, axis=1, kind="stable")[:, :k]
        chosen_u = np.take_along_axis(noisy, order, axis=1)
        order[~np.isfinite(chosen_u)] = -1
        return order
