"""Wire models of the five signage queries (requests validate hostile input; replies carry trace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo, field_validator, model_validator
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from apex_contracts.base import Message, Strict

Exposure = Literal["B", "C", "D"]
Family = Literal["pipe", "hss_round", "hss_square", "hss_rect"]
SteelGrade = Literal["A500B", "A500C", "A53B", "A1085"]
SortBy = Literal["weight", "utilization", "depth"]
Material = Literal["steel", "aluminum"]

FAMILIES: tuple[Family, ...] = ("pipe", "hss_round", "hss_square", "hss_rect")
GRADE_FAMILIES: dict[str, tuple[Family, ...]] = {
    "A53B": ("pipe",),  # ASTM A53 is a pipe specification
    "A500B": ("hss_round", "hss_square", "hss_rect"),
    "A500C": ("hss_round", "hss_square", "hss_rect"),
    "A1085": ("hss_round", "hss_square", "hss_rect"),
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
    """Finite float in (lo, hi] (or [lo, hi]) with a message that says why the bound exists."""

    lo: float
    hi: float
    unit: str
    why: str
    lo_open: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        finite = core_schema.float_schema(allow_inf_nan=False, strict=True)
        return core_schema.no_info_after_validator_function(self._check, finite)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        js = handler(schema)
        js["exclusiveMinimum" if self.lo_open else "minimum"] = self.lo
        js["maximum"] = self.hi
        return js

    def _check(self, v: float) -> float:
        if (v <= self.lo if self.lo_open else v < self.lo) or v > self.hi:
            low = f"above {self.lo:g}" if self.lo_open else f"at least {self.lo:g}"
            raise PydanticCustomError(
                "out_of_range", "{value} {unit} is outside the accepted range ({low} and at most {hi} {unit}): {why}",
                {"value": f"{v:g}", "unit": self.unit, "low": low, "hi": f"{self.hi:g}", "why": self.why},
            )
        return v


_SANE = "larger values are almost certainly a units or typing error"
_FACE = "a 14 x 48 ft bulletin is the largest standard face"
HeightFt = Annotated[float, Bounded(0, 100, "ft", "single-pole signs above 100 ft are flexible structures (ASCE 7-16 §26.11.5) outside this method")]
WindMph = Annotated[float, Bounded(85, 250, "mph", "ASCE 7-16 Fig. 26.5-1A-D basic wind speeds lie within 85-250 mph, special wind regions included", False)]
Kzt = Annotated[float, Bounded(1.0, 3.0, "", "ASCE 7-16 §26.8.2 gives Kzt = (1 + K1 K2 K3)^2 >= 1; above 3 is not a real topography", False)]
Ke = Annotated[float, Bounded(0.5, 1.0, "", "ASCE 7-16 Table 26.9-1 gives Ke <= 1 (sea level) and about 0.6 at 14,000 ft", False)]
FootingDiameter = Annotated[float, Bounded(0, 10, "ft", "drilled pier footings for sign poles are at most about 10 ft across")]


class _Part(BaseModel):
    """A nested block of a reply (forward compatible like Message, without its own version)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class _In(Strict):
    """Request block: unknown fields rejected, no type coercion (\"20\" or true is not a number)."""

    model_config = ConfigDict(strict=True)


class Site(_In):
    wind_speed_mph: WindMph
    exposure: Exposure
    kzt: Kzt = 1.0
    ke: Ke = 1.0


class Cabinet(_In):
    width_ft: Annotated[float, Bounded(0, 60, "ft", _FACE)]
    height_ft: Annotated[float, Bounded(0, 40, "ft", _FACE)]
    depth_in: Annotated[float, Bounded(0, 120, "in", _SANE)] | None = None
    weight_psf: Annotated[float, Bounded(0, 100, "psf", "heavy LED cabinets weigh about 25 psf; " + _SANE)] = 10.0
    z_offset_ft: Annotated[float, Bounded(0, 100, "ft", "height of the cabinet bottom above grade", False)] | None = None


Cabinets = Annotated[list[Cabinet], Field(min_length=1, max_length=20)]


def cabinet_spans(overall_height_ft: float, cabinets: list[Cabinet]) -> list[tuple[float, float]]:
    """(bottom, top) of each cabinet above grade: z_offset_ft is its bottom; without it, it hangs under the one before."""
    spans: list[tuple[float, float]] = []
    top = overall_height_ft
    for cab in cabinets:
        bottom = cab.z_offset_ft if cab.z_offset_ft is not None else top - cab.height_ft
        spans.append((bottom, bottom + cab.height_ft))
        top = bottom
    return spans


def _f(x: float) -> str:
    return f"{round(x, 3):g}"


def _check_stack(cabinets: list[Cabinet], info: ValidationInfo) -> list[Cabinet]:
    """Cabinets must sit between grade and overall_height_ft without overlapping."""
    height = info.data.get("overall_height_ft")
    if height is None:  # already reported on overall_height_ft
        return cabinets
    spans = cabinet_spans(height, cabinets)
    for i, (bottom, top) in enumerate(spans):
        if bottom < -1e-9:
            raise PydanticCustomError("cabinet_below_grade", "cabinet {i} stacked under overall_height_ft {h} ft reaches {b} ft, below grade",
                                      {"i": i, "h": _f(height), "b": _f(bottom)})
        if top > height + 1e-9:
            raise PydanticCustomError("cabinet_above_top", "cabinet {i} has its top at {t} ft, above overall_height_ft {h} ft (the top of the sign)",
                                      {"i": i, "t": _f(top), "h": _f(height)})
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    for j, k in zip(order, order[1:]):
        if spans[k][0] < spans[j][1] - 1e-9:
            raise PydanticCustomError("cabinets_overlap", "cabinets {a} and {b} overlap vertically; cabinets on one pole are stacked",
                                      {"a": min(j, k), "b": max(j, k)})
    return cabinets


class SignSpec(_In):
    overall_height_ft: HeightFt
    cabinets: Cabinets
    site: Site

    _stack = field_validator("cabinets")(_check_stack)


class CabinetsDeriveRequest(_In):
    overall_height_ft: HeightFt
    cabinets: Cabinets
    site: Site | None = None

    _stack = field_validator("cabinets")(_check_stack)


class Loads(_In):
    M_kipin: Annotated[float, Bounded(0, 100_000, "kip-in", "the strongest catalogue section resists about 31,000 kip-in")]
    V_kip: Annotated[float, Bounded(0, 500, "kip", _SANE)] | None = None


class PolePrefs(_In):
    family: Annotated[list[Family], Field(min_length=1, max_length=4)] = Field(default_factory=lambda: list(FAMILIES))
    steel_grade: SteelGrade | None = None
    sort_by: SortBy = "weight"
    max_depth_in: Annotated[float, Bounded(0, 100, "in", "the deepest catalogue section is 34 in")] | None = None
    max_options: Annotated[int, Field(ge=1, le=765)] = 20

    @field_validator("steel_grade")
    @classmethod
    def _grade_fits(cls, grade: SteelGrade | None, info: ValidationInfo) -> SteelGrade | None:
        family = info.data.get("family")
        if grade is not None and family is not None and not set(family) & set(GRADE_FAMILIES[grade]):
            raise PydanticCustomError("grade_family_mismatch", "steel_grade {g} is made only as {ok}; none of the requested families ({fam}) comes in it",
                                      {"g": grade, "ok": ", ".join(GRADE_FAMILIES[grade]), "fam": ", ".join(family)})
        return grade


def _aluminum_lock(material: Material, height_ft: float | None, field: str) -> Material:
    if material == "aluminum" and height_ft is not None and height_ft > ALUMINUM_MAX_HEIGHT_FT:
        raise PydanticCustomError("aluminum_height", "material aluminum with {field} {h} ft: {why}",
                                  {"field": field, "h": _f(height_ft), "why": ALUMINUM_LOCK})
    return material


class PolesOptionsRequest(_In):
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
    def _pole_reaches_sign(cls, sign: SignSpec | None, info: ValidationInfo) -> SignSpec | None:
        height = info.data.get("height_ft")
        if sign is not None and height is not None:
            bottom = min(b for b, _ in cabinet_spans(sign.overall_height_ft, sign.cabinets))
            if height < bottom - 1e-9:
                raise PydanticCustomError("pole_short", "the pole (height_ft {h} ft) does not reach the bottom of the sign at {b} ft",
                                          {"h": _f(height), "b": _f(bottom)})
        return sign

    @model_validator(mode="after")
    def _loads_or_sign(self) -> PolesOptionsRequest:
        if (self.loads is None) == (self.sign is None):
            raise PydanticCustomError("loads_or_sign", "give exactly one of loads (M_kipin, V_kip) or sign (cabinets and site); got {n}",
                                      {"n": "neither" if self.loads is None else "both"})
        return self


class Soil(_In):
    lateral_bearing_psf_per_ft: Annotated[float, Bounded(0, 1200, "psf/ft", "IBC Table 1806.2 tops out at 1,200 psf/ft (crystalline bedrock)")] | None = None
    soil_class: Annotated[int, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _one(self) -> Soil:
        if (self.lateral_bearing_psf_per_ft is None) == (self.soil_class is None):
            raise PydanticCustomError("soil_value", "give exactly one of lateral_bearing_psf_per_ft or soil_class (1-5, IBC Table 1806.2)")
        return self


class FootingSolveRequest(_In):
    P_lbf: Annotated[float, Bounded(0, 200_000, "lbf", _SANE)] | None = None
    M_pole_kipft: Annotated[float, Bounded(0, 20_000, "kip-ft", _SANE)] | None = None
    h_ft: HeightFt
    diameter_ft: FootingDiameter
    soil: Soil
    isolated: bool = True
    constrained: bool = False
    num_poles: Annotated[int, Field(ge=1, le=4)] = 1

    @model_validator(mode="after")
    def _one_load(self) -> FootingSolveRequest:
        if (self.P_lbf is None) == (self.M_pole_kipft is None):
            raise PydanticCustomError("load_value", "give exactly one of P_lbf or M_pole_kipft (each with h_ft, the height of the resultant)")
        return self


class ConcreteYardsRequest(_In):
    diameter_ft: Annotated[float, Bounded(0, 20, "ft", _SANE)]
    depth_ft: Annotated[float, Bounded(0, 100, "ft", _SANE)]
    count: Annotated[int, Field(ge=1, le=100)] = 1


class FootingGeometry(_In):
    diameter_ft: FootingDiameter


class SinglePoleDesignRequest(_In):
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
        return _aluminum_lock(material, sign.overall_height_ft if sign else None, "sign.overall_height_ft (the pole height)")


# ---- replies -------------------------------------------------------------------------------


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


class CabinetsDeriveReply(SignLoads, _Reply):
    pass


class PolesOptionsReply(_Reply):
    options: list[PoleOption]
    recommended: PoleOption | None
    feasible_count: int
    evaluated_count: int
    catalogue_version: str


class FootingSolveReply(FootingResult, _Reply):
    pass


class ConcreteYardsReply(_Reply):
    cubic_yards: float


class SinglePoleDesignReply(_Reply):
    sign: SignLoads
    pole: PoleOption | None
    feasible_count: int
    footing: FootingResult
    catalogue_version: str


QUERIES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "signage.cabinets.derive": (CabinetsDeriveRequest, CabinetsDeriveReply),
    "signage.poles.options": (PolesOptionsRequest, PolesOptionsReply),
    "signage.footing.solve": (FootingSolveRequest, FootingSolveReply),
    "signage.concrete.yards": (ConcreteYardsRequest, ConcreteYardsReply),
    "signage.single_pole.design": (SinglePoleDesignRequest, SinglePoleDesignReply),
}
