"""The cost model's prices (:class:`CostParams`): what a staff hour, a km, a provider and a
base cost, and the indirect time paid around the routes.

Core layer: the prices are read by the evaluation (:mod:`hemopt.evaluate`), the tender
(``regime.costed``), the study settings and the route planner, so they depend on nothing but
the errors.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from hemopt.errors import InputError, check_fields

__all__ = ["MAX_VALUE", "CostParams"]

#: The largest value a price or a count of :class:`CostParams` may take: far beyond any
#: municipality's figures, small enough that a year's cost stays finite.
MAX_VALUE = 1e12


@dataclass(frozen=True)
class CostParams:
    """Cost parameters (sources and rationale in ``docs/compare.md``).

    Parameters
    ----------
    staff_sek_per_hour
        Full cost of one paid staff hour (default 300 SEK: a home-care assistant's pay of
        about 29,000 SEK a month with employer contributions and pension, over about 140 hours
        of work a month after leave).
    sek_per_km
        Cost of a driven km (default 4.0 SEK: fuel, leasing, insurance and upkeep of a small
        car).
    co2_kg_per_km
        CO2 per km (default 0.12 kg: a petrol car; set lower for an electric fleet).
    days_per_year
        Days of home care per year (default 365: care is given every day).
    documentation_min_per_visit
        Paid minutes per visit outside the home: documentation, keys, phone calls (default 4).
    indirect_min_per_shift
        Paid minutes per shift outside routes (default 80: handover 15, planning meeting 20,
        paid breaks 30, the start and end at the office 15).
    min_paid_shift_hours
        A shift is paid at least this long (default 4 h).
    fixed_sek_per_provider
        Per provider with clients, per year: the part of running a home-care provider that
        does not grow with its hours (a responsible manager's time, administration, the
        planning system, minimum premises; default 500,000 SEK). What grows with the hours
        (supervision, scheduling) is in ``staff_sek_per_hour`` and the indirect time.
    follow_up_sek_per_external
        Per external provider with clients, per year: the municipality's contract follow-up
        (default 150,000 SEK).
    fixed_sek_per_base
        Per local base opened by the base rule, per year: premises and equipment (default
        250,000 SEK).

    Notes
    -----
    The indirect-time defaults are calibrated so that the share of paid time spent in
    clients' homes is near the 58 % of Swedish time-use studies on the default scenario
    (``docs/compare.md`` gives the measured share). Fixed costs are stated assumptions.

    Examples
    --------
    >>> import hemopt
    >>> c = hemopt.CostParams(staff_sek_per_hour=377.0, co2_kg_per_km=0.0)  # LOV rate, EVs
    >>> c.staff_sek_per_hour, c.sek_per_km, c.co2_kg_per_km
    (377.0, 4.0, 0.0)
    >>> hemopt.CostParams(sek_per_km=-1)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: CostParams.sek_per_km must be a finite number >= 0, got -1
    """

    staff_sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    co2_kg_per_km: float = 0.12
    days_per_year: float = 365.0
    documentation_min_per_visit: float = 4.0
    indirect_min_per_shift: float = 80.0
    min_paid_shift_hours: float = 4.0
    fixed_sek_per_provider: float = 500_000.0
    follow_up_sek_per_external: float = 150_000.0
    fixed_sek_per_base: float = 250_000.0

    def __post_init__(self) -> None:
        check_fields(self, dict.fromkeys((f.name for f in fields(self)), ">=0"))
        if not 0 < self.days_per_year <= 366:
            raise InputError(f"CostParams.days_per_year must be in (0, 366], got "
                             f"{self.days_per_year!r}")
        for f in fields(self):
            if getattr(self, f.name) > MAX_VALUE:  # a year's cost would overflow to inf
                raise InputError(f"CostParams.{f.name} must be at most {MAX_VALUE:.0e}, got "
                                 f"{getattr(self, f.name)!r}")
