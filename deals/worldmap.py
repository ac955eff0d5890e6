"""Country outlines for the investor map, projected once per process into SVG path data.

The shapes come from the ``countryinfo`` package (MIT; its outlines are world.geo.json, derived
from Natural Earth's public-domain 1:110m countries), read from its data files: the package's own
API loads every field of every country, and only the outline, code and centre are needed here.

Projection: plate carrée (longitude and latitude as x and y), cropped to 84° N – 58° S, which
leaves Antarctica out; at two SVG units a degree, coordinates rounded to 0.1 unit lose nothing
visible at 110m detail and keep the map at about 60 kB of markup.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

SCALE = 2  # SVG units per degree
NORTH, SOUTH = 84, -58
WIDTH, HEIGHT = 360 * SCALE, (NORTH - SOUTH) * SCALE
# Below this many units a point adds no visible detail (Douglas–Peucker tolerance).
TOLERANCE = 0.35


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2
    d: str  # SVG path data; empty when the dataset has no outline (small states): drawn as a dot
    x: float  # the country's centre, for the dot
    y: float


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return round((lon + 180) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative (a long coastline would exceed Python's recursion limit)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            dist = (
                abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            )
            if dist > worst:
                worst, index = dist, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring_path(ring: list[list[float]]) -> str:
    points: list[tuple[float, float]] = []
    for lon, lat in ring:
        p = _xy(lon, max(min(lat, NORTH), SOUTH))
        if not points or p != points[-1]:
            points.append(p)
    points = _simplify(points, TOLERANCE)
    if len(points) < 3:
        return ""  # an islet smaller than the map's resolution
    (x0, y0), rest = points[0], points[1:]
    # Relative moves are about half as long as absolute coordinates.
    steps, (px, py) = [], (x0, y0)
    for x, y in rest:
        steps.append(f"{_num(x - px)} {_num(y - py)}")
        px, py = x, y
    return f"M{_num(x0)} {_num(y0)}l{' '.join(steps)}z"


def _num(value: float) -> str:
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]  # MultiPolygon


@cache
def shapes() -> tuple[Shape, ...]:
    """Every country the dataset knows, with an outline where it has one; computed once a process."""
    found: dict[str, Shape] = {}
    for entry in (resources.files("countryinfo") / "data").iterdir():
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        code = ((info.get("ISO") or {}).get("alpha2") or "").upper()
        if len(code) != 2 or code == "AQ":
            continue
        rings = []
        for feature in (info.get("geoJSON") or {}).get("features", []):
            for polygon in _polygons(feature["geometry"]):
                rings += [_ring_path(ring) for ring in polygon[:1]]  # outer rings: lakes need no hole here
        d = "".join(r for r in rings if r)
        lat, lon = (info.get("latlng") or [None, None])[:2]
        if not d and lat is None:
            continue
        x, y = _xy(lon, lat) if lat is not None else (0.0, 0.0)
        # Some codes have two files (a country and a part of it): the one with an outline wins.
        if code not in found or (d and not found[code].d):
            found[code] = Shape(code, d, x, y)
    return tuple(sorted(found.values(), key=lambda s: s.code))
