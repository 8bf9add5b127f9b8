"""What a calculation package says, built from the submission and signage's answer (no I/O).

The templates only lay this out: every number is formatted here, every sentence chosen here,
so a test can read the package's content without rendering a PDF.
"""
# ruff: noqa: RUF001  (the package prints engineering notation, Greek letters and signs)

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from apex_contracts.projects import ProjectSubmitted
from apex_contracts.signage import (
    FootingResult,
    PoleOption,
    SignLoads,
    SinglePoleDesignReply,
    SinglePoleDesignRequest,
    cabinet_spans,
)

from .drawing import Elevation, elevation

SINGLE_POLE = "signage.single_pole"
PAYLOAD_SHOWN_MAX_CHARS = 20_000  # a longer saved payload is cut in the package (it has a hash)
NO_VALUE = "\u2013"  # an en dash where a value is missing
POLE_ROWS_SHOWN = 10  # the best-ranked candidates; the recommended one is always among them


@dataclass(frozen=True)
class Cover:
    project_name: str
    customer: str
    address: str
    submitted_by: str
    pm_email: str
    date: str
    submission_number: int
    revision: str
    project_id: str
    submission_id: str


@dataclass(frozen=True)
class TextTable:
    """A table set in monospace lines: far cheaper to lay out than HTML table cells."""

    header: str
    rows: list[tuple[str, bool]]  # (line, emphasised)

    @classmethod
    def of(
        cls, headers: list[str], rows: list[list[str]], marked: list[bool] | None = None
    ) -> TextTable:
        """Columns padded to their widest cell; the first column left-aligned, the rest right."""
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

        def line(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            return "  ".join([first, *rest]).rstrip()

        flags = marked or [False] * len(rows)
        return cls(line(headers), [(line(r), f) for r, f in zip(rows, flags, strict=True)])


@dataclass(frozen=True)
class CabinetRow:
    number: int
    width_ft: str
    height_ft: str
    bottom_ft: str
    top_ft: str
    area_ft2: str
    weight_psf: str


@dataclass(frozen=True)
class Inputs:
    overall_height_ft: str
    cabinets: list[CabinetRow]
    cabinet_table: TextTable
    wind_speed_mph: str
    exposure: str
    kzt: str
    ke: str
    material: str
    soil: str
    footing_diameter_ft: str
    isolated: str


@dataclass(frozen=True)
class Step:
    """One line of a derivation: symbol = formula = numbers = result, and the code clause."""

    title: str
    formula: str
    numbers: str
    result: str
    reference: str


@dataclass(frozen=True)
class PoleRow:
    designation: str
    compactness: str
    limit_state: str
    phi_mn_kipin: str
    mu_kipin: str
    utilization: str
    deflection_in: str
    ok: str
    recommended: bool


@dataclass(frozen=True)
class Recommended:
    designation: str
    grade: str
    weight_plf: str
    depth_in: str
    utilization: str
    phi_mn_kipin: str
    mu_kipin: str
    deflection: str
    limit_state: str


@dataclass(frozen=True)
class FootingView:
    method: str
    p_lbf: str
    h_ft: str
    rate: str
    diameter_ft: str
    min_depth: str
    concrete_yards: str
    steps: list[Step]
    iterations: TextTable


@dataclass(frozen=True)
class Engineering:
    load_steps: list[Step]
    poles: list[PoleRow]
    pole_table: TextTable
    recommended: Recommended | None
    feasible_count: int
    footing: FootingView
    code_version: str
    catalogue_version: str


@dataclass(frozen=True)
class Package:
    cover: Cover
    inputs: Inputs | None
    engineering: Engineering | None
    notice: str | None  # why the package shows the saved payload instead of engineering
    payload_json: str | None
    drawing: Elevation | None
    assumptions: list[str]
    payload_sha256: str
    payload_version: int
    trace_id: str
    title: str = field(default="")


def num(x: float | None, digits: int = 2) -> str:
    """A number as an engineer writes it: thousands separated, fixed decimals."""
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def design_request(
    module: str, config: dict[str, Any]
) -> tuple[SinglePoleDesignRequest | None, str]:
    """The saved payload as a single-pole design body, or None and why it is not one."""
    if module != SINGLE_POLE:
        return None, f"the design payload is for module {module!r}, not {SINGLE_POLE!r}"
    try:
        return SinglePoleDesignRequest.model_validate(config), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        return None, f"the saved payload is not a valid design body ({where}: {first['msg']})"


def cover(event: ProjectSubmitted) -> Cover:
    project = event.project
    return Cover(
        project_name=project.name,
        customer=project.customer,
        address=(project.site.address if project.site and project.site.address else "–"),
        submitted_by=event.submitted_by,
        pm_email=project.pm_email or "–",
        date=event.submitted_at.strftime("%Y-%m-%d"),
        submission_number=event.submission_number,
        revision=f"design payload v{event.payload.payload_version}",
        project_id=str(project.project_id),
        submission_id=str(event.submission_id),
    )


def inputs(req: SinglePoleDesignRequest) -> Inputs:
    sign = req.sign
    spans = cabinet_spans(sign.overall_height_ft, sign.cabinets)
    rows = [
        CabinetRow(
            number=i + 1,
            width_ft=num(c.width_ft),
            height_ft=num(c.height_ft),
            bottom_ft=num(bottom),
            top_ft=num(top),
            area_ft2=num(c.width_ft * c.height_ft, 1),
            weight_psf=num(c.weight_psf, 1),
        )
        for i, (c, (bottom, top)) in enumerate(zip(sign.cabinets, spans, strict=True))
    ]
    soil = req.soil
    soil_text = (
        f"IBC 2018 Table 1806.2 class {soil.soil_class}"
        if soil.soil_class is not None
        else f"{num(soil.lateral_bearing_psf_per_ft, 0)} psf/ft lateral bearing (given)"
    )
    table = TextTable.of(
        ["Cabinet", "Width ft", "Height ft", "Bottom ft", "Top ft", "Area ft²", "Weight psf"],
        [
            [
                str(r.number),
                r.width_ft,
                r.height_ft,
                r.bottom_ft,
                r.top_ft,
                r.area_ft2,
                r.weight_psf,
            ]
            for r in rows
        ],
    )
    return Inputs(
        overall_height_ft=num(sign.overall_height_ft),
        cabinets=rows,
        cabinet_table=table,
        wind_speed_mph=num(sign.site.wind_speed_mph, 0),
        exposure=sign.site.exposure,
        kzt=num(sign.site.kzt),
        ke=num(sign.site.ke),
        material=req.material,
        soil=soil_text,
        footing_diameter_ft=num(req.footing.diameter_ft),
        isolated="yes (IBC 2018 §1806.3.4)" if req.isolated else "no",
    )


def load_steps(req: SinglePoleDesignRequest, sign: SignLoads, trace: dict[str, Any]) -> list[Step]:
    """Velocity pressure, force, moment and torsion as signage-service derived them."""
    site = req.sign.site
    h = req.sign.overall_height_ft
    wind = _dict(_dict(trace.get("poles")).get("sign"))
    kd, g = _float(wind.get("Kd"), 0.85), _float(wind.get("G"), 0.85)
    steps: list[Step] = []
    if sign.Kz is not None:
        steps.append(
            Step(
                "Velocity pressure exposure coefficient",
                "K_z = 2.01 (z / z_g)^(2/α), z ≥ 15 ft",
                f"with z = h = {num(h)} ft, exposure {site.exposure}",
                f"K_z = {num(sign.Kz, 3)}",
                "ASCE 7-16 §26.10.1, Table 26.10-1, Table 26.11-1",
            )
        )
    if sign.qh_psf is not None and sign.Kz is not None:
        steps.append(
            Step(
                "Velocity pressure at the top of the sign",
                "q_h = 0.00256 K_z K_zt K_d K_e V²",
                f"= 0.00256 × {num(sign.Kz, 3)} × {num(site.kzt)} × {num(kd)} × {num(site.ke)}"
                f" × {num(site.wind_speed_mph, 0)}²",
                f"q_h = {num(sign.qh_psf)} psf",
                "ASCE 7-16 Eq. 26.10-1; K_d Table 26.6-1; §29.3.1",
            )
        )
    if sign.F_lbf is not None and sign.qh_psf is not None and sign.Cf is not None:
        case_c = sign.moment_case == "C"
        steps.append(
            Step(
                "Wind force on the sign" + (" (Case C governs)" if case_c else " (Case A)"),
                "F = Σ q_h G C_f,i A_i over the Case C strips" if case_c else "F = q_h G C_f A_s",
                f"with G = {num(g)}, C_f = {num(sign.Cf, 3)}, A_s = {num(sign.A_ft2, 1)} ft²"
                if case_c
                else f"= {num(sign.qh_psf)} × {num(g)} × {num(sign.Cf, 3)} × {num(sign.A_ft2, 1)}",
                f"F = {num(sign.F_lbf, 1)} lb",
                "ASCE 7-16 Eq. 29.3-1, Fig. 29.3-1; G §26.11.1",
            )
        )
    if sign.M_base_kipft is not None and sign.F_lbf is not None and sign.z_F_ft is not None:
        steps.append(
            Step(
                "Overturning moment at grade",
                "M = F · z_F",
                f"= {num(sign.F_lbf, 1)} lb × {num(sign.z_F_ft)} ft",
                f"M = {num(sign.M_base_kipft, 2)} kip-ft",
                "ASCE 7-16 Fig. 29.3-1 (resultant location)",
            )
        )
    if sign.Mu_kipin is not None and sign.M_base_asd_kipft is not None:
        steps.append(
            Step(
                "Design moments (sign only)",
                "M_u = 1.0 M × 12 in/ft (LRFD);  M_asd = 0.6 M (ASD)",
                f"with M = {num(sign.M_base_kipft, 2)} kip-ft",
                f"M_u = {num(sign.Mu_kipin, 1)} kip-in;"
                f"  M_asd = {num(sign.M_base_asd_kipft, 2)} kip-ft",
                "ASCE 7-16 §2.3.1, §2.4.1",
            )
        )
    if sign.T_kipft is not None:
        steps.append(
            Step(
                f"Torsion on the pole (Case {sign.torsion_case or 'B'})",
                "T = Σ F_i e_i over the Case C strips"
                if sign.torsion_case == "C"
                else "T = 0.2 B F (resultant 0.2 B off the pole axis)",
                f"with B = {num(max(c.width_ft for c in req.sign.cabinets))} ft (widest cabinet),"
                f" F = {num(sign.F_lbf, 1)} lb",
                f"T = {num(sign.T_kipft, 2)} kip-ft",
                "ASCE 7-16 Fig. 29.3-1",
            )
        )
    return steps


def pole_rows(reply: SinglePoleDesignReply, trace: dict[str, Any]) -> list[PoleRow]:
    """The candidate sections signage-service evaluated, in its ranking order."""
    checks = _dict(_dict(trace.get("poles")).get("checks"))
    recommended = reply.pole.designation if reply.pole else None
    limit = reply.pole.deflection_limit_in if reply.pole else None
    rows: list[PoleRow] = []
    for designation, raw in checks.items():
        check = _dict(raw)
        ratios = [_float(check.get(k), 0.0) for k in ("flexure_ratio", "shear_ratio", "H3_6")]
        utilization = max(ratios)
        deflection = _float(check.get("deflection_in"), 0.0)
        ok = (
            "–" if limit is None else ("OK" if utilization <= 1.0 and deflection <= limit else "NG")
        )
        rows.append(
            PoleRow(
                designation=str(designation),
                compactness=str(check.get("class", "–")),
                limit_state=str(check.get("limit_state", "–")),
                phi_mn_kipin=num(0.9 * _float(check.get("Mn_kipin"), 0.0), 1),
                mu_kipin=num(_float(check.get("Mu_kipin"), 0.0), 1),
                utilization=num(utilization, 3),
                deflection_in=num(deflection),
                ok=ok,
                recommended=designation == recommended,
            )
        )
    if reply.pole is not None and not any(r.recommended for r in rows):
        rows.insert(0, _row_of(reply.pole))
    return rows[:POLE_ROWS_SHOWN]


def pole_table(rows: list[PoleRow]) -> TextTable:
    return TextTable.of(
        ["Section", "Class", "φMₙ kip-in", "Mᵤ kip-in", "Utilization", "Deflection in", "Check"],
        [
            [
                r.designation + (" ★" if r.recommended else ""),
                r.compactness,
                r.phi_mn_kipin,
                r.mu_kipin,
                r.utilization,
                r.deflection_in,
                r.ok,
            ]
            for r in rows
        ],
        [r.recommended for r in rows],
    )


def _row_of(p: PoleOption) -> PoleRow:
    return PoleRow(
        designation=p.designation,
        compactness=p.compactness,
        limit_state=p.limit_state,
        phi_mn_kipin=num(p.phiMn_kipin, 1),
        mu_kipin=num(p.Mu_kipin, 1),
        utilization=num(p.utilization, 3),
        deflection_in=num(p.deflection_in),
        ok="OK" if p.passes else "NG",
        recommended=True,
    )


def recommended(p: PoleOption | None) -> Recommended | None:
    if p is None:
        return None
    return Recommended(
        designation=p.designation,
        grade=p.grade,
        weight_plf=num(p.weight_plf, 1),
        depth_in=num(p.depth_in, 3),
        utilization=num(p.utilization, 3),
        phi_mn_kipin=num(p.phiMn_kipin, 1),
        mu_kipin=num(p.Mu_kipin, 1),
        deflection=f"{num(p.deflection_in)} in ≤ {num(p.deflection_limit_in)} in",
        limit_state=p.limit_state,
    )


def footing_view(f: FootingResult) -> FootingView:
    last = f.iterations[-1] if f.iterations else None
    steps = [
        Step(
            "Lateral load on the footing (ASD)",
            "P = 0.6 V at h = M / V",
            "with V, M the sign and pole wind at grade",
            f"P = {num(f.P_lbf, 1)} lb at h = {num(f.h_ft)} ft",
            "ASCE 7-16 §2.4.1",
        ),
        Step(
            "Embedment depth" + (" (nonconstrained)" if f.method == "nonconstrained" else ""),
            "d = 0.5 A {1 + [1 + 4.36 h / A]^½},  A = 2.34 P / (S_1 b)"
            if f.method == "nonconstrained"
            else "d² = 4.25 P h / (S_3 b)",
            f"with S_1 = {num(last.S_psf, 1)} psf, b = {num(f.diameter_ft)} ft,"
            f" A = {num(last.A_ft, 3)} ft"
            if last is not None and last.A_ft is not None
            else f"with b = {num(f.diameter_ft)} ft",
            f"d = {num(f.min_depth_ft)} ft ({num(f.min_depth_in, 1)} in)",
            "IBC 2018 §1807.3.2.1 Eq. 18-1"
            if f.method == "nonconstrained"
            else "IBC 2018 Eq. 18-2",
        ),
    ]
    return FootingView(
        method=f.method,
        p_lbf=num(f.P_lbf, 1),
        h_ft=num(f.h_ft),
        rate=num(f.lateral_bearing_psf_per_ft, 0),
        diameter_ft=num(f.diameter_ft),
        min_depth=f"{num(f.min_depth_ft)} ft ({num(f.min_depth_in, 1)} in)",
        concrete_yards=num(f.concrete_yards),
        steps=steps,
        iterations=TextTable.of(
            ["n", "d ft", "S₁ psf", "A ft", "next d ft"],
            [
                [str(i.n), num(i.d_ft, 4), num(i.S_psf, 1), num(i.A_ft, 4), num(i.d_next_ft, 4)]
                for i in f.iterations
            ],
        ),
    )


def engineering(req: SinglePoleDesignRequest, reply: SinglePoleDesignReply) -> Engineering:
    trace = reply.trace.intermediates
    poles = pole_rows(reply, trace)
    return Engineering(
        load_steps=load_steps(req, reply.sign, trace),
        poles=poles,
        pole_table=pole_table(poles),
        recommended=recommended(reply.pole),
        feasible_count=reply.feasible_count,
        footing=footing_view(reply.footing),
        code_version=reply.code_version,
        catalogue_version=reply.catalogue_version,
    )


def build_package(
    event: ProjectSubmitted,
    req: SinglePoleDesignRequest | None,
    reply: SinglePoleDesignReply | None,
    notice: str | None,
    trace_id: str | None,
) -> Package:
    """The package for a submission; without `reply`, it shows the saved payload and says why."""
    drawing = None
    if req is not None:
        pole_depth_in = reply.pole.depth_in if reply and reply.pole else None
        depth_ft = reply.footing.min_depth_ft if reply else None
        drawing = elevation(
            req.sign.overall_height_ft,
            cabinet_spans(req.sign.overall_height_ft, req.sign.cabinets),
            [c.width_ft for c in req.sign.cabinets],
            pole_depth_in,
            req.footing.diameter_ft,
            depth_ft,
            reply.pole.designation if reply and reply.pole else None,
        )
    assumptions = list(reply.assumptions) if reply else []
    if reply is None:
        assumptions.append(
            "No engineering results are included: "
            + (notice or "signage-service did not answer")
            + ". The design payload below is shown as it was saved; it is not a design check."
        )
    payload_json = None
    if reply is None:
        payload_json = json.dumps(
            event.payload.config, indent=2, sort_keys=True, ensure_ascii=False
        )
        if len(payload_json) > PAYLOAD_SHOWN_MAX_CHARS:
            payload_json = (
                payload_json[:PAYLOAD_SHOWN_MAX_CHARS] + "\n… (cut; see the SHA-256 below)"
            )
    return Package(
        cover=cover(event),
        inputs=inputs(req) if req is not None else None,
        engineering=engineering(req, reply) if req is not None and reply is not None else None,
        notice=notice if reply is None else None,
        payload_json=payload_json,
        drawing=drawing,
        assumptions=assumptions,
        payload_sha256=event.payload.sha256,
        payload_version=event.payload.payload_version,
        trace_id=trace_id or "–",
        title=f"Calculation package – {event.project.name}",
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _float(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)
