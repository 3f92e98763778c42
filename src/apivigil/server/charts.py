"""Trend charts as plain numbers for the SVG templates: no JavaScript, no external library.

`score_trend` places each scan's score on a time axis (oldest left) with the grade floors as
horizontal bands; `category_trends` gives one small line per category over the same scans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

GRADE_COLOUR = {"A": "#1d8a3a", "B": "#5a9e2f", "C": "#d19a00", "D": "#e0531f", "F": "#b3001b"}
BANDS = (("A", 90, 100), ("B", 80, 90), ("C", 70, 80), ("D", 60, 70), ("F", 0, 60))


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    grade: str
    label: str
    scan_id: int
    colour: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    points: tuple[Point, ...]
    bands: tuple[tuple[str, float, float, str], ...]  # grade, y, height, colour
    ticks: tuple[tuple[float, int], ...]  # y, score
    x_labels: tuple[tuple[float, str], ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def score_trend(scans: list[tuple[int, datetime, int, str]], *, width: int = 860,
                height: int = 240) -> Chart:
    """scans: (id, started_at, score, grade), any order; drawn oldest to newest."""
    ordered = sorted(scans, key=lambda s: (s[1], s[0]))
    left, top, right, bottom = 44, 10, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    count = len(ordered)
    points = []
    for index, (scan_id, started, score, grade) in enumerate(ordered):
        x = left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)
        points.append(Point(x, y_of(score), score, grade,
                            f"#{scan_id} {started:%Y-%m-%d %H:%M} UTC: {grade} ({score})",
                            scan_id, GRADE_COLOUR.get(grade, "#777")))
    bands = tuple((grade, y_of(high), y_of(low) - y_of(high), GRADE_COLOUR[grade])
                  for grade, low, high in BANDS)
    ticks = tuple((y_of(v), v) for v in (0, 60, 70, 80, 90, 100))
    labels: list[tuple[float, str]] = []
    if points:
        chosen = {0, count - 1, count // 2}
        labels = [(points[i].x, f"{ordered[i][1]:%m-%d %H:%M}") for i in sorted(chosen)]
    return Chart(width, height, left, top, plot_w, plot_h, tuple(points), bands, ticks,
                 tuple(labels))


@dataclass(frozen=True)
class CategoryLine:
    name: str
    latest: int | None
    latest_grade: str | None
    polyline: str
    colour: str

    @property
    def last_point(self) -> tuple[str, str] | None:
        """The newest point (x, y), drawn as a dot so that one scan still shows."""
        if not self.polyline:
            return None
        x, y = self.polyline.split()[-1].split(",")
        return x, y


def category_trends(history: list[dict[str, int | None]], *, width: int = 160,
                    height: int = 32) -> list[CategoryLine]:
    """history: per scan (oldest first) category -> score (None: not tested)."""
    names = sorted({name for scan in history for name in scan})
    lines = []
    for name in names:
        values = [scan.get(name) for scan in history]
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        count = len(values)
        coords = " ".join(
            f"{(width * i / (count - 1) if count > 1 else width / 2):.1f},"
            f"{(height - 2) * (1 - v / 100) + 1:.1f}" for i, v in known)
        latest = known[-1][1] if known else None
        grade = _grade(latest)
        lines.append(CategoryLine(name, latest, grade, coords,
                                  GRADE_COLOUR.get(grade or "", "#777")))
    return lines


def _grade(score: int | None) -> str | None:
    if score is None:
        return None
    for grade, low, _high in BANDS:
        if score >= low:
            return grade
    return "F"
