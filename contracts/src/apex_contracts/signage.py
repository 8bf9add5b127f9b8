"""Wire models of the signage queries: requests validate hostile input, replies carry a trace."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from apex_contracts import topology
from apex_contracts.base import Message, Strict, example

Exposure = Literal["B", "C", "D"]
Family = Literal["pipe", "hss_round", "hss_square", "hss_rect"]
SteelGrade = Literal["A500B", "A500C", "A53B", "A1085"]
SortBy = Literal["weight", "utilization", "depth"]
Material = Literal["steel", "aluminum"]

FAMILIES: tuple[Family, ...] = ("pipe", "hss_round", "hss_square", "hss_rect")
_HSS: tuple[Family, ...] = ("hss_round", "hss_square", "hss_rect")
# ASTM A53 is a pipe specification; A500 and A1085 are HSS specifications
GRADE_FAMILIES: dict[str, tuple[Family, ...]] = {
    "A53B": ("pipe",),
    "A500B": _HSS,
    "A500C": _HSS,
    "A1085": _HSS,
}
ALUMINUM_MAX_HEIGHT_FT = 15.0
ALUMINUM_LOCK = (
    "aluminum poles are offered only up to 15 ft: the Aluminum Design Manual values for 6061-T6 "
    "(buckling constants, resistance factors, welded-zone strength) are not confirmed in this "
    "service's references, so a taller aluminum pole cannot be sized here; use steel or have the "
    "engineer of record size it per the ADM"
)


@dataclass(frozen=True)
class Bounded:
    """A finite float in (lo, hi] (or [lo, hi]) whose error says why the bound exists."""

    lo: float
    hi: float
    unit: str
    why: str
    lo_open: bool = True

    def __get_pydantic_core_schema__(self, source: Any, h: GetCoreSchemaHandler) -> CoreSchema:
        finite = core_schema.float_schema(allow_inf_nan=False, strict=True)
        return core_schema.no_info_after_validator_function(self._check, finite)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        js = handler(schema)
        js["exclusiveMinimum" if self.lo_open else "minimum"] = self.lo
        js["maximum"] = self.hi
        return js

    def _check(self, v: float) -> float:
        if (v <= self.lo if self.lo_open else v < self.lo) or v > self.hi:
            low = f"above {self.lo:g}" if self.lo_open else f"at least {self.lo:g}"
            value = f"{v:g} {self.unit}".strip()
            msg = "{value} is outside the accepted range ({low}, at most {hi}): {why}"
            raise _error("out_of_range", msg, value=value, low=low, hi=f"{self.hi:g}", why=self.why)
        return v


_SANE = "larger values are almost certainly a units or typing error"
_FACE = "a 14 x 48 ft bulletin is the largest standard face"
_TALL = "single-pole signs over 100 ft are flexible structures (ASCE 7-16 §26.11.5), out of scope"
_V = "the ASCE 7-16 Fig. 26.5-1 maps, territories included, lie within it; else a typo"
_TINY = "a smaller value is a typing error, and would only make the arithmetic underflow"
HeightFt = Annotated[float, Bounded(0.1, 100, "ft", f"{_TALL}; {_TINY}", lo_open=False)]
WindMph = Annotated[float, Bounded(85, 250, "mph", _V, lo_open=False)]
Kzt = Annotated[float, Bounded(1, 3, "", "(1 + K1 K2 K3)^2 of ASCE 7-16 §26.8.2", False)]
Ke = Annotated[float, Bounded(0.5, 1, "", "ASCE 7-16 Table 26.9-1: 1 at sea level", False)]
Diameter = Annotated[float, Bounded(0.25, 10, "ft", "a post or drilled footing, 3 in to 10 ft")]
OptIn = Annotated[float, Bounded(0, 120, "in", _SANE)] | None
Bottom = Annotated[float, Bounded(0, 100, "ft", "cabinet bottom above grade", lo_open=False)]
Moment = Annotated[float, Bounded(0, 100_000, "kip-in", "the strongest section: ~34,000 kip-in")]
Rate = Annotated[
    float,
    Bounded(25, 1200, "psf/ft", "IBC Table 1806.2 spans 100 to 1,200 psf/ft", lo_open=False),
]


class _Part(BaseModel):
    """A nested block of a reply (forward compatible like Message, without its own version)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Site(Strict):
    """ASCE 7-16 site: ultimate basic wind speed V (Fig. 26.5-1), exposure, K_zt, K_e."""

    wind_speed_mph: WindMph
    exposure: Exposure
    kzt: Kzt = 1.0
    ke: Ke = 1.0


class Cabinet(Strict):
    """A cabinet centred on the pole; z_offset_ft is its bottom above grade."""

    width_ft: Annotated[float, Bounded(0.1, 60, "ft", f"{_FACE}; {_TINY}", lo_open=False)]
    height_ft: Annotated[float, Bounded(0.1, 40, "ft", f"{_FACE}; {_TINY}", lo_open=False)]
    depth_in: OptIn = None
    weight_psf: Annotated[
        float, Bounded(0.1, 100, "psf", "LED cabinets weigh ~25 psf", lo_open=False)
    ] = 10.0
    z_offset_ft: Bottom | None = None


Cabinets = Annotated[list[Cabinet], Field(min_length=1, max_length=20)]


def cabinet_spans(height_ft: float, cabinets: list[Cabinet]) -> list[tuple[float, float]]:
    """(bottom, top) above grade: z_offset_ft is the bottom, else it hangs under the one before."""
    spans: list[tuple[float, float]] = []
    top = height_ft
    for cab in cabinets:
        bottom = cab.z_offset_ft if cab.z_offset_ft is not None else top - cab.height_ft
        spans.append((bottom, bottom + cab.height_ft))
        top = bottom
    return spans


def _f(x: float) -> str:
    return f"{round(x, 3):g}"


def _error(kind: str, message: str, **values: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, values)


def _check_stack(cabinets: list[Cabinet], info: ValidationInfo) -> list[Cabinet]:
    """Cabinets sit between grade and overall_height_ft without overlapping."""
    height = info.data.get("overall_height_ft")
    if height is None:  # already reported on overall_height_ft
        return cabinets
    spans = cabinet_spans(height, cabinets)
    for i, (bottom, top) in enumerate(spans):
        if bottom < -1e-9:
            msg = "cabinet {i}, stacked under overall_height_ft {h} ft, reaches {b} ft: below grade"
            raise _error("cabinet_below_grade", msg, i=i, h=_f(height), b=_f(bottom))
        if top > height + 1e-9:
            msg = "cabinet {i} has its top at {t} ft, above overall_height_ft {h} ft (sign top)"
            raise _error("cabinet_above_top", msg, i=i, t=_f(top), h=_f(height))
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    for j, k in pairwise(order):
        if spans[k][0] < spans[j][1] - 1e-9:
            msg = "cabinets {a} and {b} overlap vertically; cabinets on one pole are stacked"
            raise _error("cabinets_overlap", msg, a=min(j, k), b=max(j, k))
    return cabinets


class SignSpec(Strict):
    """A sign: cabinets hanging from overall_height_ft (the top) and its site."""

    overall_height_ft: HeightFt
    cabinets: Cabinets
    site: Site

    _stack = field_validator("cabinets")(_check_stack)


class CabinetsDeriveRequest(Strict):
    """signage.cabinets.derive: geometry, and wind actions when a site is given."""

    model_config = example(
        {
            "overall_height_ft": 20,
            "cabinets": [{"width_ft": 8, "height_ft": 4}],
            "site": {"wind_speed_mph": 115, "exposure": "C"},
        }
    )

    overall_height_ft: HeightFt
    cabinets: Cabinets
    site: Site | None = None

    _stack = field_validator("cabinets")(_check_stack)


class Loads(Strict):
    """Factored (LRFD) moment and shear at grade of the whole structure."""

    M_kipin: Moment
    V_kip: Annotated[float, Bounded(0, 500, "kip", _SANE)] | None = None


class PolePrefs(Strict):
    """Which sections to rank and how (steel_grade filters families and sets Fy)."""

    family: Annotated[list[Family], Field(min_length=1, max_length=4)] = Field(
        default_factory=lambda: list(FAMILIES)
    )
    steel_grade: SteelGrade | None = None
    sort_by: SortBy = "weight"
    max_depth_in: Annotated[float, Bounded(0, 100, "in", "the deepest section: 34 in")] | None = (
        None
    )
    max_options: Annotated[int, Field(ge=1, le=765)] = 20

    @field_validator("steel_grade")
    @classmethod
    def _grade_fits(cls, grade: SteelGrade | None, info: ValidationInfo) -> SteelGrade | None:
        family = info.data.get("family")
        if (
            grade is not None
            and family is not None
            and not set(family) & set(GRADE_FAMILIES[grade])
        ):
            msg = "steel_grade {g} is made only as {ok}; none of the families ({fam}) comes in it"
            ok = ", ".join(GRADE_FAMILIES[grade])
            raise _error("grade_family_mismatch", msg, g=grade, ok=ok, fam=", ".join(family))
        return grade


def _aluminum_lock(material: Material, height_ft: float | None, field: str) -> Material:
    if material == "aluminum" and height_ft is not None and height_ft > ALUMINUM_MAX_HEIGHT_FT:
        msg = "material aluminum with {field} {h} ft: {why}"
        raise _error("aluminum_height", msg, field=field, h=_f(height_ft), why=ALUMINUM_LOCK)
    return material


class PolesOptionsRequest(Strict):
    """signage.poles.options: rank the catalogue for loads or a sign."""

    model_config = example(
        {
            "height_ft": 20,
            "sign": {
                "overall_height_ft": 20,
                "cabinets": [{"width_ft": 8, "height_ft": 4}],
                "site": {"wind_speed_mph": 115, "exposure": "C"},
            },
        }
    )

    height_ft: HeightFt
    num_poles: Annotated[int, Field(ge=1, le=4)] = 1
    material: Material = "steel"
    loads: Loads | None = None
    sign: SignSpec | None = None
    prefs: PolePrefs = Field(default_factory=PolePrefs)

    @field_validator("material")
    @classmethod
    def _aluminum(cls, material: Material, info: ValidationInfo) -> Material:
        return _aluminum_lock(material, info.data.get("height_ft"), "height_ft")

    @field_validator("sign")
    @classmethod
    def _pole_reaches(cls, sign: SignSpec | None, info: ValidationInfo) -> SignSpec | None:
        height = info.data.get("height_ft")
        if sign is not None and height is not None:
            bottom = min(b for b, _ in cabinet_spans(sign.overall_height_ft, sign.cabinets))
            if height < bottom - 1e-9:
                msg = "the pole (height_ft {h} ft) does not reach the bottom of the sign at {b} ft"
                raise _error("pole_short", msg, h=_f(height), b=_f(bottom))
        return sign

    @model_validator(mode="after")
    def _loads_or_sign(self) -> PolesOptionsRequest:
        if (self.loads is None) == (self.sign is None):
            msg = "give exactly one of loads (M_kipin, V_kip) or sign (cabinets, site); got {n}"
            raise _error("loads_or_sign", msg, n="neither" if self.loads is None else "both")
        return self


class Soil(Strict):
    """Allowable lateral bearing (psf/ft) or an IBC Table 1806.2 class."""

    lateral_bearing_psf_per_ft: Rate | None = None
    soil_class: Annotated[int, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _one(self) -> Soil:
        if (self.lateral_bearing_psf_per_ft is None) == (self.soil_class is None):
            msg = "give exactly one of lateral_bearing_psf_per_ft or soil_class (IBC Table 1806.2)"
            raise _error("soil_value", msg)
        return self


class FootingSolveRequest(Strict):
    """signage.footing.solve: ASD lateral load P at h_ft (or M at grade and h_ft)."""

    model_config = example({"P_lbf": 2000, "h_ft": 15, "diameter_ft": 3, "soil": {"soil_class": 4}})

    P_lbf: Annotated[float, Bounded(1, 200_000, "lbf", f"{_SANE}; {_TINY}", False)] | None = None
    M_pole_kipft: Annotated[float, Bounded(0.001, 20_000, "kip-ft", _SANE, False)] | None = None
    h_ft: HeightFt
    diameter_ft: Diameter
    soil: Soil
    isolated: bool = True
    constrained: bool = False
    num_poles: Annotated[int, Field(ge=1, le=4)] = 1

    @model_validator(mode="after")
    def _one_load(self) -> FootingSolveRequest:
        if (self.P_lbf is None) == (self.M_pole_kipft is None):
            msg = "give exactly one of P_lbf or M_pole_kipft (with h_ft, the height of P)"
            raise _error("load_value", msg)
        return self


class ConcreteYardsRequest(Strict):
    """signage.concrete.yards: count round footings."""

    model_config = example({"diameter_ft": 3, "depth_ft": 6, "count": 2})

    diameter_ft: Annotated[float, Bounded(0.1, 20, "ft", f"{_SANE}; {_TINY}", lo_open=False)]
    depth_ft: Annotated[float, Bounded(0, 100, "ft", _SANE)]
    count: Annotated[int, Field(ge=1, le=100)] = 1


class FootingGeometry(Strict):
    """Diameter of the round footing."""

    diameter_ft: Diameter


SINGLE_POLE_EXAMPLE: dict[str, Any] = {  # also a saved payload's config in the examples
    "sign": {
        "overall_height_ft": 20,
        "cabinets": [{"width_ft": 8, "height_ft": 4}],
        "site": {"wind_speed_mph": 115, "exposure": "C"},
    },
    "soil": {"soil_class": 4},
    "footing": {"diameter_ft": 3},
}


class SinglePoleDesignRequest(Strict):
    """signage.single_pole.design: sign, pole preferences, soil and footing diameter."""

    model_config = example(SINGLE_POLE_EXAMPLE)

    sign: SignSpec
    material: Material = "steel"
    prefs: PolePrefs = Field(default_factory=PolePrefs)
    soil: Soil
    footing: FootingGeometry
    isolated: bool = True

    @field_validator("material")
    @classmethod
    def _aluminum(cls, material: Material, info: ValidationInfo) -> Material:
        sign = info.data.get("sign")
        height = sign.overall_height_ft if sign else None
        return _aluminum_lock(material, height, "sign.overall_height_ft (the pole height)")


# ---- replies ----------------------------------------------------------------------------


class Trace(_Part):
    inputs: dict[str, Any]
    intermediates: dict[str, Any]
    outputs: dict[str, Any]


class SignLoads(_Part):
    A_ft2: float
    z_cg_ft: float
    z_cg_weight_ft: float
    weight_estimate_lb: float
    sign_bottom_ft: float
    sign_top_ft: float
    Kz: float | None = None
    qh_psf: float | None = None
    Cf: float | None = None
    F_lbf: float | None = None
    z_F_ft: float | None = None
    M_base_kipft: float | None = None
    Mu_kipin: float | None = None
    T_kipft: float | None = None
    Tu_kipin: float | None = None
    F_asd_lbf: float | None = None
    M_base_asd_kipft: float | None = None
    moment_case: Literal["A", "C"] | None = None
    torsion_case: Literal["B", "C"] | None = None


class PoleOption(_Part):
    designation: str
    family: Family
    grade: str
    Fy_ksi: float
    weight_plf: float
    depth_in: float
    Sx_in3: float
    Zx_in3: float
    Ix_in4: float
    compactness: Literal["compact", "noncompact", "slender"]
    limit_state: str
    phiMn_kipin: float
    Mu_kipin: float
    utilization: float
    deflection_in: float
    deflection_limit_in: float
    passes: bool


class FootingIteration(_Part):
    n: int
    d_ft: float
    S_psf: float
    A_ft: float | None
    d_next_ft: float


class FootingResult(_Part):
    method: Literal["nonconstrained", "constrained"]
    P_lbf: float
    h_ft: float
    lateral_bearing_psf_per_ft: float
    min_depth_ft: float
    min_depth_in: float
    diameter_ft: float
    concrete_yards: float
    iterations: list[FootingIteration]


class _Reply(Message):
    assumptions: list[str]
    trace: Trace
    code_version: str


class CabinetsDeriveReply(_Reply, SignLoads):
    pass


class PolesOptionsReply(_Reply):
    options: list[PoleOption]
    recommended: PoleOption | None
    feasible_count: int
    evaluated_count: int
    catalogue_version: str


class FootingSolveReply(_Reply, FootingResult):
    pass


class ConcreteYardsReply(_Reply):
    cubic_yards: float


class SinglePoleDesignReply(_Reply):
    sign: SignLoads
    pole: PoleOption | None
    feasible_count: int
    footing: FootingResult
    catalogue_version: str


# routing key -> (request, reply), for the wiring and the AsyncAPI document
QUERIES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    topology.SIGNAGE_CABINETS_DERIVE: (CabinetsDeriveRequest, CabinetsDeriveReply),
    topology.SIGNAGE_POLES_OPTIONS: (PolesOptionsRequest, PolesOptionsReply),
    topology.SIGNAGE_FOOTING_SOLVE: (FootingSolveRequest, FootingSolveReply),
    topology.SIGNAGE_CONCRETE_YARDS: (ConcreteYardsRequest, ConcreteYardsReply),
    topology.SIGNAGE_SINGLE_POLE_DESIGN: (SinglePoleDesignRequest, SinglePoleDesignReply),
}
