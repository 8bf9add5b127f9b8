"""apex_signage: wind loads, cabinets, poles and footings (pure engineering, no I/O)."""

from apex_signage.cabinets import derive_cabinets
from apex_signage.catalogue import CATALOGUE_VERSION
from apex_signage.common import CODE_VERSION
from apex_signage.concrete import concrete_yards
from apex_signage.design import design_single_pole
from apex_signage.footing import solve_footing
from apex_signage.poles import pole_options, warm_up

__all__ = [
    "CATALOGUE_VERSION",
    "CODE_VERSION",
    "concrete_yards",
    "derive_cabinets",
    "design_single_pole",
    "pole_options",
    "solve_footing",
    "warm_up",
]
