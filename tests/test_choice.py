"""The random-utility choice model."""

from __future__ import annotations

import numpy as np
import pytest

import hemopt
from hemopt import InputError
from hemopt.choice import ChoiceModel, rank_scenario


def test_calibration_reproduces_target_shares():
    rng = np.random.default_rng(0)
    cxy = rng.uniform(0, 10_000, (500, 2))
    pxy = rng.uniform(0, 10_000, (4, 2))
    model = ChoiceModel()
    u = model.systematic_utility(cxy, pxy)
    target = np.array([0.6, 0.2, 0.15, 0.05])
    asc = model.calibrate_asc(u, target)
    got = model.probabilities(u + asc).mean(axis=0)
    np.testing.assert_allclose(got, target, atol=1e-8)


def test_logit_first_choice_frequencies_match_probabilities():
    # two providers, one client type: P(first = 0) = 1 / (1 + exp(u1 - u0))
    model = ChoiceModel(beta_distance_per_km=0.5, ranking_length=2)
    cxy = np.zeros((20_000, 2))
    pxy = np.array([[1000.0, 0.0], [3000.0, 0.0]])
    u = model.systematic_utility(cxy, pxy)
    p0 = 1 / (1 + np.exp(u[0, 1] - u[0, 0]))
    assert p0 == pytest.approx(1 / (1 + np.exp(-1.0)))
    order = model.rank(u, np.random.default_rng(1))
    freq = (order[:, 0] == 0).mean()
    assert abs(freq - p0) < 3 * np.sqrt(p0 * (1 - p0) / 20_000)
    assert set(map(tuple, order)) == {(0, 1), (1, 0)}


def test_inertia_and_quality_raise_utility():
    model = ChoiceModel(inertia=2.0, beta_quality=0.5)
    u = model.systematic_utility(np.zeros((2, 2)), np.zeros((2, 2)),
                                 quality=np.array([1.0, -1.0]), current=np.array([1, -1]))
    np.testing.assert_allclose(u, [[0.5, 1.5], [0.5, -0.5]])


def test_allowed_mask_and_padding():
    model = ChoiceModel(ranking_length=3)
    u = np.zeros((2, 3))
    allowed = np.array([[True, False, True], [False, False, True]])
    order = model.rank(u, np.random.default_rng(0), allowed=allowed)
    assert set(order[0, :2]) == {0, 2} and order[0, 2] == -1
    assert order[1].tolist() == [2, -1, -1]


def test_rank_scenario_fills_blank_rankings_deterministically():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.2)
    blank = sc.replace(clients=sc.clients.assign(ranking=[()] * sc.n_clients))
    a = rank_scenario(blank, seed=5, chooser_share=0.8)
    b = rank_scenario(blank, seed=5, chooser_share=0.8)
    assert list(a.clients["ranking"]) == list(b.clients["ranking"])
    share = (a.clients["ranking"].map(len) > 0).mean()
    assert 0.7 < share < 0.9
    # zone contracts respected: a client in the north never ranks a south provider
    from hemopt.regimes import zone_of_clients

    zone = zone_of_clients(a)[0]
    zone_ids = list(a.zones["zone_id"])
    pz = dict(zip(a.providers["provider_id"], a.providers["zones"], strict=True))
    for z, ranking in zip(zone, a.clients["ranking"], strict=True):
        for p in ranking:
            assert not pz[p] or zone_ids[z] in pz[p]
    # existing rankings are kept unless overwrite
    c = rank_scenario(sc, seed=5)
    for old, new in zip(sc.clients["ranking"], c.clients["ranking"], strict=True):
        if old:
            assert new == old


def test_bad_parameters():
    with pytest.raises(InputError, match="beta_distance_per_km"):
        ChoiceModel(beta_distance_per_km=-1)
    with pytest.raises(InputError, match="ranking_length"):
        ChoiceModel(ranking_length=0)
    with pytest.raises(InputError, match="target_share"):
        ChoiceModel().calibrate_asc(np.zeros((3, 2)), np.array([0.5, 0.6]))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"beta_distance_per_km": -1}, "ChoiceModel.beta_distance_per_km must be a finite number "
                                   ">= 0, got -1"),
    ({"inertia": float("nan")}, "ChoiceModel.inertia must be a finite number, got nan"),
    ({"beta_share": True}, "ChoiceModel.beta_share must be a finite number, got True"),
    ({"beta_quality": "0.5"}, "ChoiceModel.beta_quality must be a finite number, got '0.5'"),
    ({"ranking_length": 2.5}, "ChoiceModel.ranking_length must be a whole number >= 1, got 2.5"),
])
def test_bad_parameters_name_field_and_value(kwargs, message):
    with pytest.raises(InputError) as err:
        ChoiceModel(**kwargs)
    assert str(err.value) == message


def test_check_fields_rules():
    from types import SimpleNamespace

    from hemopt.errors import check_fields

    ok = SimpleNamespace(a=0, b=np.float64(0.25), c=np.int64(3), d=1.0)
    check_fields(ok, {"a": ">=0", "b": "0..1", "c": "int>=1", "d": ">0"})  # no error
    for value, rule, must in [(0, ">0", "a finite number > 0"),
                              (1.5, "0..1", "a finite number in [0, 1]"),
                              (np.bool_(True), "finite", "a finite number"),
                              (float("inf"), ">=0", "a finite number >= 0"),
                              (-1, "int>=0", "a whole number >= 0")]:
        with pytest.raises(InputError) as err:
            check_fields(SimpleNamespace(x=value), {"x": rule}, owner="Tender")
        assert str(err.value) == f"Tender.x must be {must}, got {value!r}"
    with pytest.raises(ValueError, match="unknown rule"):
        check_fields(ok, {"a": ">= 0"})
