from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sign_loads_moment_case_type_0 import SignLoadsMomentCaseType0
from ..models.sign_loads_torsion_case_type_0 import SignLoadsTorsionCaseType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="SignLoads")


@_attrs_define
class SignLoads:
    """
    Attributes:
        a_ft_2 (float):
        z_cg_ft (float):
        z_cg_weight_ft (float):
        weight_estimate_lb (float):
        sign_bottom_ft (float):
        sign_top_ft (float):
        kz (float | None | Unset):
        qh_psf (float | None | Unset):
        cf (float | None | Unset):
        f_lbf (float | None | Unset):
        z_f_ft (float | None | Unset):
        m_base_kipft (float | None | Unset):
        mu_kipin (float | None | Unset):
        t_kipft (float | None | Unset):
        tu_kipin (float | None | Unset):
        f_asd_lbf (float | None | Unset):
        m_base_asd_kipft (float | None | Unset):
        moment_case (None | SignLoadsMomentCaseType0 | Unset):
        torsion_case (None | SignLoadsTorsionCaseType0 | Unset):
    """

    a_ft_2: float
    z_cg_ft: float
    z_cg_weight_ft: float
    weight_estimate_lb: float
    sign_bottom_ft: float
    sign_top_ft: float
    kz: float | None | Unset = UNSET
    qh_psf: float | None | Unset = UNSET
    cf: float | None | Unset = UNSET
    f_lbf: float | None | Unset = UNSET
    z_f_ft: float | None | Unset = UNSET
    m_base_kipft: float | None | Unset = UNSET
    mu_kipin: float | None | Unset = UNSET
    t_kipft: float | None | Unset = UNSET
    tu_kipin: float | None | Unset = UNSET
    f_asd_lbf: float | None | Unset = UNSET
    m_base_asd_kipft: float | None | Unset = UNSET
    moment_case: None | SignLoadsMomentCaseType0 | Unset = UNSET
    torsion_case: None | SignLoadsTorsionCaseType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        a_ft_2 = self.a_ft_2

        z_cg_ft = self.z_cg_ft

        z_cg_weight_ft = self.z_cg_weight_ft

        weight_estimate_lb = self.weight_estimate_lb

        sign_bottom_ft = self.sign_bottom_ft

        sign_top_ft = self.sign_top_ft

        kz: float | None | Unset
        if isinstance(self.kz, Unset):
            kz = UNSET
        else:
            kz = self.kz

        qh_psf: float | None | Unset
        if isinstance(self.qh_psf, Unset):
            qh_psf = UNSET
        else:
            qh_psf = self.qh_psf

        cf: float | None | Unset
        if isinstance(self.cf, Unset):
            cf = UNSET
        else:
            cf = self.cf

        f_lbf: float | None | Unset
        if isinstance(self.f_lbf, Unset):
            f_lbf = UNSET
        else:
            f_lbf = self.f_lbf

        z_f_ft: float | None | Unset
        if isinstance(self.z_f_ft, Unset):
            z_f_ft = UNSET
        else:
            z_f_ft = self.z_f_ft

        m_base_kipft: float | None | Unset
        if isinstance(self.m_base_kipft, Unset):
            m_base_kipft = UNSET
        else:
            m_base_kipft = self.m_base_kipft

        mu_kipin: float | None | Unset
        if isinstance(self.mu_kipin, Unset):
            mu_kipin = UNSET
        else:
            mu_kipin = self.mu_kipin

        t_kipft: float | None | Unset
        if isinstance(self.t_kipft, Unset):
            t_kipft = UNSET
        else:
            t_kipft = self.t_kipft

        tu_kipin: float | None | Unset
        if isinstance(self.tu_kipin, Unset):
            tu_kipin = UNSET
        else:
            tu_kipin = self.tu_kipin

        f_asd_lbf: float | None | Unset
        if isinstance(self.f_asd_lbf, Unset):
            f_asd_lbf = UNSET
        else:
            f_asd_lbf = self.f_asd_lbf

        m_base_asd_kipft: float | None | Unset
        if isinstance(self.m_base_asd_kipft, Unset):
            m_base_asd_kipft = UNSET
        else:
            m_base_asd_kipft = self.m_base_asd_kipft

        moment_case: None | str | Unset
        if isinstance(self.moment_case, Unset):
            moment_case = UNSET
        elif isinstance(self.moment_case, SignLoadsMomentCaseType0):
            moment_case = self.moment_case.value
        else:
            moment_case = self.moment_case

        torsion_case: None | str | Unset
        if isinstance(self.torsion_case, Unset):
            torsion_case = UNSET
        elif isinstance(self.torsion_case, SignLoadsTorsionCaseType0):
            torsion_case = self.torsion_case.value
        else:
            torsion_case = self.torsion_case

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "A_ft2": a_ft_2,
                "z_cg_ft": z_cg_ft,
                "z_cg_weight_ft": z_cg_weight_ft,
                "weight_estimate_lb": weight_estimate_lb,
                "sign_bottom_ft": sign_bottom_ft,
                "sign_top_ft": sign_top_ft,
            }
        )
        if kz is not UNSET:
            field_dict["Kz"] = kz
        if qh_psf is not UNSET:
            field_dict["qh_psf"] = qh_psf
        if cf is not UNSET:
            field_dict["Cf"] = cf
        if f_lbf is not UNSET:
            field_dict["F_lbf"] = f_lbf
        if z_f_ft is not UNSET:
            field_dict["z_F_ft"] = z_f_ft
        if m_base_kipft is not UNSET:
            field_dict["M_base_kipft"] = m_base_kipft
        if mu_kipin is not UNSET:
            field_dict["Mu_kipin"] = mu_kipin
        if t_kipft is not UNSET:
            field_dict["T_kipft"] = t_kipft
        if tu_kipin is not UNSET:
            field_dict["Tu_kipin"] = tu_kipin
        if f_asd_lbf is not UNSET:
            field_dict["F_asd_lbf"] = f_asd_lbf
        if m_base_asd_kipft is not UNSET:
            field_dict["M_base_asd_kipft"] = m_base_asd_kipft
        if moment_case is not UNSET:
            field_dict["moment_case"] = moment_case
        if torsion_case is not UNSET:
            field_dict["torsion_case"] = torsion_case

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        a_ft_2 = d.pop("A_ft2")

        z_cg_ft = d.pop("z_cg_ft")

        z_cg_weight_ft = d.pop("z_cg_weight_ft")

        weight_estimate_lb = d.pop("weight_estimate_lb")

        sign_bottom_ft = d.pop("sign_bottom_ft")

        sign_top_ft = d.pop("sign_top_ft")

        def _parse_kz(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        kz = _parse_kz(d.pop("Kz", UNSET))

        def _parse_qh_psf(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        qh_psf = _parse_qh_psf(d.pop("qh_psf", UNSET))

        def _parse_cf(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cf = _parse_cf(d.pop("Cf", UNSET))

        def _parse_f_lbf(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        f_lbf = _parse_f_lbf(d.pop("F_lbf", UNSET))

        def _parse_z_f_ft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        z_f_ft = _parse_z_f_ft(d.pop("z_F_ft", UNSET))

        def _parse_m_base_kipft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        m_base_kipft = _parse_m_base_kipft(d.pop("M_base_kipft", UNSET))

        def _parse_mu_kipin(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mu_kipin = _parse_mu_kipin(d.pop("Mu_kipin", UNSET))

        def _parse_t_kipft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        t_kipft = _parse_t_kipft(d.pop("T_kipft", UNSET))

        def _parse_tu_kipin(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        tu_kipin = _parse_tu_kipin(d.pop("Tu_kipin", UNSET))

        def _parse_f_asd_lbf(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        f_asd_lbf = _parse_f_asd_lbf(d.pop("F_asd_lbf", UNSET))

        def _parse_m_base_asd_kipft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        m_base_asd_kipft = _parse_m_base_asd_kipft(d.pop("M_base_asd_kipft", UNSET))

        def _parse_moment_case(data: object) -> None | SignLoadsMomentCaseType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                moment_case_type_0 = SignLoadsMomentCaseType0(data)

                return moment_case_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignLoadsMomentCaseType0 | Unset, data)

        moment_case = _parse_moment_case(d.pop("moment_case", UNSET))

        def _parse_torsion_case(data: object) -> None | SignLoadsTorsionCaseType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                torsion_case_type_0 = SignLoadsTorsionCaseType0(data)

                return torsion_case_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignLoadsTorsionCaseType0 | Unset, data)

        torsion_case = _parse_torsion_case(d.pop("torsion_case", UNSET))

        sign_loads = cls(
            a_ft_2=a_ft_2,
            z_cg_ft=z_cg_ft,
            z_cg_weight_ft=z_cg_weight_ft,
            weight_estimate_lb=weight_estimate_lb,
            sign_bottom_ft=sign_bottom_ft,
            sign_top_ft=sign_top_ft,
            kz=kz,
            qh_psf=qh_psf,
            cf=cf,
            f_lbf=f_lbf,
            z_f_ft=z_f_ft,
            m_base_kipft=m_base_kipft,
            mu_kipin=mu_kipin,
            t_kipft=t_kipft,
            tu_kipin=tu_kipin,
            f_asd_lbf=f_asd_lbf,
            m_base_asd_kipft=m_base_asd_kipft,
            moment_case=moment_case,
            torsion_case=torsion_case,
        )

        sign_loads.additional_properties = d
        return sign_loads

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
