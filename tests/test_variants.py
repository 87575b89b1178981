"""The split-service LOV case (Trafikverket 2010:29): service tasks from a second provider."""

from __future__ import annotations

import numpy as np
import pytest

import hemopt
from hemopt.variants import split_service


@pytest.fixture(scope="module")
def sc():
    return hemopt.generate("strangnas", seed=2, scale=0.3)


def test_split_conserves_care_and_places_the_service_client_at_home(sc):
    sp = split_service(sc, share=1.0, service_hours_per_week=1.5, seed=2)
    k = sp.meta["split_service"]["clients_split"]
    assert k > 0 and sp.n_clients == sc.n_clients + k
    assert sp.clients["hours_per_week"].sum() == pytest.approx(sc.clients["hours_per_week"].sum())
    cl = sp.clients.set_index("client_id")
    service = cl[cl.index.str.endswith("-service")]
    care = cl.loc[[c[: -len("-service")] for c in service.index]]
    assert (service["hours_per_week"] == 1.5).all()
    assert (care["hours_per_week"] > 1.5).all()  # only clients with more than 3 h split
    assert (service["stairwell_id"].to_numpy() == care["stairwell_id"].to_numpy()).all()
    assert np.allclose(sp.client_xy()[sc.n_clients:],
                       sp.client_xy()[[list(cl.index).index(c) for c in care.index]])
    # under LOV the service client gets another provider than the client's care provider
    a = hemopt.assign(sp, hemopt.LOV(switch_propensity=0.0), seed=2)
    got = a.clients.set_index("client_id")["provider_id"]
    differ = (got.loc[service.index].to_numpy() != got.loc[care.index].to_numpy()).mean()
    assert differ > 0.95
    assert sc.n_clients == len(sc.clients)  # the input is not changed


def test_split_parameters(sc):
    none = split_service(sc, share=0.0)
    assert none.n_clients == sc.n_clients
    assert none.meta["split_service"]["clients_split"] == 0
    with pytest.raises(hemopt.InputError, match="share must be a share in"):
        split_service(sc, share=1.5)
    with pytest.raises(hemopt.InputError, match="service_hours_per_week must be a number > 0"):
        split_service(sc, service_hours_per_week=0)
    again = split_service(sc, share=0.3, seed=5)
    assert again == split_service(sc, share=0.3, seed=5)  # seeded


def test_split_moves_the_weekly_cleaning_to_the_service_client(sc):
    sp = split_service(sc, share=1.0, service_hours_per_week=1.5, seed=2)
    cl = sp.clients.set_index("client_id")
    service = cl[cl.index.str.endswith("-service")]
    care = cl.loc[[c[: -len("-service")] for c in service.index]]
    assert not care["pattern_tasks"].str.contains("cleaning").any()
    assert (service["pattern_tasks"] == "").all()
    # 1.5 h a week of chores: visits_per_day 0.21, round(7 × 0.21) = 1 fixed weekday
    assert (service["visits_per_day"] == 0.21).all()
    assert service["pattern_days"].map(lambda d: d.count("1")).eq(1).all()
    assert service["pattern_days"].str[5:].eq("00").all()
    before = sc.clients.set_index("client_id").loc[care.index, "pattern_tasks"]
    assert before.str.contains("cleaning").any()  # the case is not empty
