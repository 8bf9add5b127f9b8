"""The elevation of a single-pole sign, to scale, as SVG primitives (the template draws them)."""
# ruff: noqa: RUF001  (the package prints engineering notation, Greek letters and signs)

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 460.0, 560.0
LEFT, RIGHT, TOP, BOTTOM = 110.0, 160.0, 34.0, 50.0
CHAR_W = 7.5  # width of one label character in drawing units (about, at 13 units)
LABEL_GAP = 14.0  # least vertical distance between two cabinet labels
NOMINAL_POLE_IN = 8.0  # drawn when no pole was selected
TICK = 4.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    cls: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    cls: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    cls: str = "label"
    anchor: str = "middle"
    rotate: float = 0.0


@dataclass
class Elevation:
    width: float = WIDTH
    height: float = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def paths(self) -> dict[str, str]:
        """The lines grouped by style, one SVG path each (far fewer elements to render)."""
        grouped: dict[str, list[str]] = {}
        for ln in self.lines:
            grouped.setdefault(ln.cls, []).append(f"M{ln.x1:g} {ln.y1:g}L{ln.x2:g} {ln.y2:g}")
        return {cls: "".join(parts) for cls, parts in grouped.items()}

    def vertical_dimension(
        self, x: float, y1: float, y2: float, label: str, x_from: float, short: str = ""
    ) -> None:
        """A dimension line at `x` between heights y1 and y2, extension lines from `x_from`."""
        self.lines += [
            Line(x_from, y1, x + TICK, y1, "ext"),
            Line(x_from, y2, x + TICK, y2, "ext"),
            Line(x, y1, x, y2, "dim"),
            Line(x - TICK, y1 + TICK, x + TICK, y1 - TICK, "dim"),
            Line(x - TICK, y2 + TICK, x + TICK, y2 - TICK, "dim"),
        ]
        if not label:
            return
        if abs(y2 - y1) >= len(label) * CHAR_W:  # along the line
            self.texts.append(Text(x - 7, (y1 + y2) / 2, label, "dimtext", "middle", -90.0))
        else:  # too short: beside it, level (and briefly: the margin is narrow)
            self.texts.append(Text(x - 7, (y1 + y2) / 2 + 4, short or label, "dimtext", "end"))

    def horizontal_dimension(
        self, y: float, x1: float, x2: float, label: str, y_from: float, *, above: bool = False
    ) -> None:
        self.lines += [
            Line(x1, y_from, x1, y + TICK, "ext"),
            Line(x2, y_from, x2, y + TICK, "ext"),
            Line(x1, y, x2, y, "dim"),
            Line(x1 - TICK, y + TICK, x1 + TICK, y - TICK, "dim"),
            Line(x2 - TICK, y + TICK, x2 + TICK, y - TICK, "dim"),
        ]
        self.texts.append(Text((x1 + x2) / 2, y - 5 if above else y + 17, label, "dimtext"))


def spread(labels: list[tuple[float, str]], gap: float) -> list[tuple[float, str]]:
    """Labels (y, text) sorted by y, pushed down just enough not to overlap."""
    out: list[tuple[float, str]] = []
    for y, text in labels:
        if out and y < out[-1][0] + gap:
            y = out[-1][0] + gap
        out.append((round(y, 2), text))
    return out


def ft(x: float) -> str:
    return f"{x:,.2f} ft"


def elevation(
    height_ft: float,
    spans: list[tuple[float, float]],
    widths_ft: list[float],
    pole_depth_in: float | None,
    footing_diameter_ft: float,
    footing_depth_ft: float | None,
    pole_label: str | None = None,
) -> Elevation:
    """Pole, cabinets and footing to one scale, dimensioned: heights, cabinet sizes, depth."""
    depth = footing_depth_ft if footing_depth_ft is not None else 0.3 * height_ft
    pole_ft = (pole_depth_in or NOMINAL_POLE_IN) / 12.0
    span_x = max([*widths_ft, footing_diameter_ft, pole_ft])
    scale = min((WIDTH - LEFT - RIGHT) / span_x, (HEIGHT - TOP - BOTTOM) / (height_ft + depth))
    x0 = LEFT + (WIDTH - LEFT - RIGHT - span_x * scale) / 2 + span_x * scale / 2  # pole axis

    def X(x_ft: float) -> float:
        return round(x0 + x_ft * scale, 2)

    def Y(y_ft: float) -> float:
        return round(TOP + (height_ft - y_ft) * scale, 2)

    d = Elevation()
    half = span_x / 2
    # grade, with hatching under it
    d.lines.append(Line(X(-half) - 40, Y(0), X(half) + 40, Y(0), "grade"))
    x = X(-half) - 40
    while x < X(half) + 32:
        d.lines.append(Line(x, Y(0) + 8, x + 8, Y(0), "hatch"))
        x += 10
    d.texts.append(Text(X(half) + 40, Y(0) + 20, "GRADE", "small", "end"))

    b = footing_diameter_ft
    footing_cls = "footing" if footing_depth_ft is not None else "footing pending"
    d.rects.append(Rect(X(-b / 2), Y(0), round(b * scale, 2), round(depth * scale, 2), footing_cls))
    pole_w = max(pole_ft * scale, 3.0)
    d.rects.append(
        Rect(
            round(X(0) - pole_w / 2, 2),
            Y(height_ft),
            round(pole_w, 2),
            Y(-0.85 * depth) - Y(height_ft),
            "pole",
        )
    )
    labels: list[tuple[float, str]] = []
    for i, ((bottom, top), w) in enumerate(zip(spans, widths_ft, strict=True)):
        box_w, box_h = round(w * scale, 2), round((top - bottom) * scale, 2)
        d.rects.append(Rect(X(-w / 2), Y(top), box_w, box_h, "cabinet"))
        if box_h >= 12 and box_w >= 22:
            d.texts.append(Text(X(0), (Y(top) + Y(bottom)) / 2 + 4, f"C{i + 1}", "cabtext"))
        d.vertical_dimension(X(half) + 14, Y(top), Y(bottom), "", X(w / 2) + 2)
        labels.append(
            ((Y(top) + Y(bottom)) / 2 + 4, f"C{i + 1}: {w:,.2f} × {top - bottom:,.2f} ft")
        )
    for y, label in spread(sorted(labels), LABEL_GAP):
        d.texts.append(Text(X(half) + 22, y, label, "small", "start"))
    widest = max(range(len(widths_ft)), key=lambda k: widths_ft[k])
    top_of_widest = spans[widest][1]
    w = widths_ft[widest]
    d.horizontal_dimension(
        Y(height_ft) - 12, X(-w / 2), X(w / 2), ft(w), Y(top_of_widest) - 2, above=True
    )

    left = X(-half) - 30
    pole_from = X(0) - pole_w / 2 - 2
    d.vertical_dimension(
        left, Y(height_ft), Y(0), f"pole {ft(height_ft)}", pole_from, ft(height_ft)
    )
    depth_label = ft(depth) if footing_depth_ft is not None else "depth not computed"
    d.vertical_dimension(left, Y(0), Y(-depth), depth_label, X(-b / 2) - 2)
    d.horizontal_dimension(Y(-depth) + 14, X(-b / 2), X(b / 2), f"⌀ {ft(b)}", Y(-depth) + 2)

    sign_bottom = min(bottom for bottom, _ in spans)
    if sign_bottom > 0:
        pole_text = pole_label or "pole (not selected)"
        d.texts.append(Text(X(0) + pole_w / 2 + 6, Y(sign_bottom / 2), pole_text, "small", "start"))
    d.height = round(Y(-depth) + BOTTOM, 2)  # the drawing's own height at this scale
    return d
