"""AISC Shapes Database v16.0 round, square, rectangular HSS and Pipe, loaded once."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

CATALOGUE_VERSION = "aisc-shapes-v16.0"
DATA_FILE = "aisc_v16_hss_pipe.csv"
# sha256 of the shipped file: a data edit must come with a CATALOGUE_VERSION bump (tested).
DATA_SHA256 = "43fb457d3f0367d9029f1b082a7ab1e209a4c775d4a8c0f79ac3f0412d6e5de8"

FAMILY_OF_CLASS = {
    "HSS_ROUND": "hss_round",
    "PIPE": "pipe",
    "HSS_SQUARE": "hss_square",
    "HSS_RECT": "hss_rect",
}


@dataclass(frozen=True, slots=True)
class Section:
    """One catalogue row in the units of the table (in, in², in³, in⁴, lb/ft); x = bending axis."""

    designation: str
    family: str
    weight_plf: float
    A: float
    depth_in: float  # OD (round) or Ht, the dimension along the wind
    width_in: float  # OD (round) or B, the face the wind strikes
    t_nom: float
    t_des: float
    ratio_flange: float  # D/t (round) or b/t of the compression flange
    ratio_web: float  # h/t (square/rect); 0 for round
    b_flat: float  # B - 3 t_des (square/rect); 0 for round
    Ix: float
    Zx: float
    Sx: float
    ry: float
    J: float
    C: float  # torsional constant; pipes: 2J/OD (AISC tabulates none, see the data README)

    @property
    def is_round(self) -> bool:
        return self.family in ("pipe", "hss_round")


def _f(row: dict[str, str], key: str) -> float:
    value = row[key]
    return float(value) if value else 0.0


def round_geometry(od: float, t: float) -> dict[str, float]:
    """A, Ix, Sx, Zx, J of a circular tube from its outside diameter and design wall."""
    d = od - 2.0 * t
    ix = math.pi / 64.0 * (od**4 - d**4)
    return {
        "A": math.pi / 4.0 * (od**2 - d**2),
        "Ix": ix,
        "Sx": 2.0 * ix / od,
        "Zx": (od**3 - d**3) / 6.0,
        "J": 2.0 * ix,
    }


def _round_props(row: dict[str, str]) -> dict[str, float]:
    """Tabulated values, except any AISC lists >1 % above the tube's geometry (data README)."""
    geom = round_geometry(_f(row, "OD"), _f(row, "tdes"))
    return {k: geom[k] if _f(row, k) > 1.01 * geom[k] else _f(row, k) for k in geom}


def _section(row: dict[str, str]) -> Section:
    family = FAMILY_OF_CLASS[row["Shape_Class"]]
    round_ = family in ("pipe", "hss_round")
    od, ht, bw = _f(row, "OD"), _f(row, "Ht"), _f(row, "B")
    p = _round_props(row) if round_ else {k: _f(row, k) for k in ("A", "Ix", "Sx", "Zx", "J")}
    J = p["J"]
    return Section(
        designation=row["AISC_Manual_Label"],
        family=family,
        weight_plf=_f(row, "W"),
        A=p["A"],
        depth_in=od if round_ else ht,
        width_in=od if round_ else bw,
        t_nom=_f(row, "tnom"),
        t_des=_f(row, "tdes"),
        ratio_flange=_f(row, "D/t") if round_ else _f(row, "b/tdes"),
        ratio_web=0.0 if round_ else _f(row, "h/tdes"),
        b_flat=0.0 if round_ else _f(row, "b"),
        Ix=p["Ix"],
        Zx=p["Zx"],
        Sx=p["Sx"],
        ry=_f(row, "ry"),
        J=J,
        C=_f(row, "C") if row["C"] else 2.0 * J / od,
    )


def raw_text() -> str:
    """The packaged CSV as text."""
    return resources.files("apex_signage").joinpath("data", DATA_FILE).read_text(encoding="utf-8")


@cache
def load_catalogue() -> tuple[Section, ...]:
    """All 765 rows in the file's order (class, then AISC order); read once per process."""
    return tuple(_section(row) for row in csv.DictReader(io.StringIO(raw_text())))
