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
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import softmax

from hemopt.errors import InputError, check_fields

__all__ = ["ChoiceModel", "rank_scenario"]


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

    Examples
    --------
    Two clients and two providers with equal brands; each client prefers the nearer office
    (client 0: 1 and 5 km away, client 1: 3 and 1 km away):

    >>> import numpy as np
    >>> from hemopt import ChoiceModel
    >>> m = ChoiceModel()
    >>> u = m.systematic_utility([[0, 0], [4000, 0]], [[1000, 0], [5000, 0]])
    >>> m.probabilities(u).round(3)
    array([[0.646, 0.354],
           [0.426, 0.574]])
    >>> m.rank(u, np.random.default_rng(0)).shape   # rankings: provider indices, best first
    (2, 2)
    """

    beta_distance_per_km: float = 0.15
    beta_quality: float = 0.5
    beta_share: float = 0.0
    inertia: float = 2.0
    ranking_length: int = 3

    def __post_init__(self) -> None:
        check_fields(self, {"beta_distance_per_km": ">=0", "beta_quality": "finite",
                            "beta_share": "finite", "inertia": "finite",
                            "ranking_length": "int>=1"})

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


def rank_scenario(
    scenario: Any,
    *,
    seed: int = 0,
    model: ChoiceModel | None = None,
    chooser_share: float = 0.75,
    quality: np.ndarray | None = None,
    target_share: np.ndarray | None = None,
    overwrite: bool = False,
) -> Any:
    """A copy of ``scenario`` where clients have rankings drawn from the choice model.

    Provider constants are calibrated so that first choices reproduce ``target_share`` (default:
    the providers' current shares of clients, or equal shares where nobody has a provider);
    providers only compete in the zones they serve. A share ``1 - chooser_share`` of the clients
    (drawn with ``seed``) does not choose and keeps an empty ranking. Clients that already have a
    ranking keep it unless ``overwrite``.

    Parameters
    ----------
    scenario
        A :class:`~hemopt.scenario.Scenario`.
    seed
        Seed of the draws (who chooses, the Gumbel noise).
    model
        The :class:`ChoiceModel` (default: its defaults).
    chooser_share
        Share of the clients who choose (default 0.75).
    quality
        Quality score per provider (green 1, yellow 0, red -1), or None.
    target_share
        First-choice share per provider to calibrate to (sums to 1).
    overwrite
        Redraw the rankings of clients who already have one.

    Returns
    -------
    Scenario
        A new scenario; the input is not changed.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=0, scale=0.05)
    >>> blank = sc.replace(clients=sc.clients.assign(ranking=[()] * sc.n_clients))
    >>> ranked = rank_scenario(blank, seed=1)
    >>> int((ranked.clients["ranking"].map(len) > 0).sum()) > 0
    True
    """
    from hemopt.areas import serves_matrix, zone_index

    if not (0.0 <= chooser_share <= 1.0):
        raise InputError(f"chooser_share must be in [0, 1], got {chooser_share!r}")
    model = model or ChoiceModel()
    rng = np.random.default_rng(seed)
    n, m = scenario.n_clients, scenario.n_providers
    cur = scenario.current_index()
    if target_share is None:
        counts = np.bincount(cur[cur >= 0], minlength=m).astype(float)
        target_share = counts / counts.sum() if counts.sum() else np.full(m, 1.0 / m)
    target = np.asarray(target_share, dtype=float)
    zone_ids = list(scenario.zones["zone_id"])
    zone = zone_index(list(scenario.zones.geometry.values), scenario.client_xy())[0]
    serves = serves_matrix(list(scenario.providers["zones"]), zone_ids)
    allowed = serves[np.where(zone >= 0, zone, len(zone_ids))]
    u = model.systematic_utility(scenario.client_xy(), scenario.provider_xy(),
                                 quality=quality, current=cur)
    asc = model.calibrate_asc(u, target, allowed=allowed)
    order = model.rank(u + asc[None, :], rng, allowed=allowed)
    chooses = rng.random(n) < chooser_share
    pids = scenario.provider_ids
    old = list(scenario.clients["ranking"])
    new = []
    for i in range(n):
        if old[i] and not overwrite:
            new.append(old[i])
        elif chooses[i]:
            new.append(tuple(pids[j] for j in order[i] if j >= 0))
        else:
            new.append(())
    return scenario.replace(clients=scenario.clients.assign(ranking=new))
