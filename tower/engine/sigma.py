"""Six Sigma view of OTIF (kpis.md 3): opportunities are measured lines, defects failed lines."""

from statistics import NormalDist

SIGMA_SHIFT = 1.5


def dpmo(defects: float, opportunities: float) -> float | None:
    """Defects per million opportunities; None when nothing was measured."""
    if not opportunities:
        return None
    return defects / opportunities * 1_000_000


def sigma_level(dpmo_value: float | None) -> float | None:
    """Short-term sigma level with the conventional 1.5 shift: NormInv(1 - DPMO/1e6) + 1.5.

    None when undefined: nothing measured, no defect at all (the level is unbounded) or every
    opportunity a defect.
    """
    if dpmo_value is None or dpmo_value <= 0 or dpmo_value >= 1_000_000:
        return None
    return NormalDist().inv_cdf(1 - dpmo_value / 1_000_000) + SIGMA_SHIFT
