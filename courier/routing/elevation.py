"""Heights from a digital elevation model, and the climbing of a ride.

The model is an ESRI ASCII grid (``.asc``, "AAIGrid"): a plain-text header, then one line of
heights in metres per row, north first. Its coordinates are degrees of longitude (x) and
latitude (y), WGS 84::

    ncols        4
    nrows        3
    xllcorner    4.80        (or xllcenter: the centre of the lower left cell)
    yllcorner    45.70
    cellsize     0.01
    NODATA_value -9999       (optional)
    170 172 175 180
    ...

Any DEM converts to it, e.g. ``gdal_translate -of AAIGrid -r bilinear -tr 0.0005 0.0005
srtm.tif lyon.asc`` (after ``gdalwarp -t_srs EPSG:4326`` when it is projected). Heights are
interpolated bilinearly between cell centres; a point outside the grid, or next to a cell
without data, has no height.

:func:`climb` is the metres of ascent of a ride through points: the sum of the rises
between consecutive heights, each straight leg sampled every ``sample_m`` metres (0: the
points alone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEADER = ("ncols", "nrows", "xllcorner", "yllcorner", "xllcenter", "yllcenter", "cellsize",
          "nodata_value")
EARTH_M = 6_371_000.0


class GridError(ValueError):
    """The file is not a grid this module reads."""


@dataclass(frozen=True)
class Grid:
    heights: np.ndarray  # rows south to north, NaN where unknown
    lon0: float  # centre of the south-west cell
    lat0: float
    cell: float

    def at(self, lats, lons) -> np.ndarray:
        """Heights at these points (NaN outside the grid or beside a cell without data)."""
        lats, lons = np.asarray(lats, float), np.asarray(lons, float)
        x = (lons - self.lon0) / self.cell
        y = (lats - self.lat0) / self.cell
        rows, cols = self.heights.shape
        eps = 1e-9  # a point on the grid's edge, give or take the float's last digit
        inside = (x >= -eps) & (y >= -eps) & (x <= cols - 1 + eps) & (y <= rows - 1 + eps)
        x0 = np.clip(np.floor(x), 0, max(cols - 2, 0)).astype(int)
        y0 = np.clip(np.floor(y), 0, max(rows - 2, 0)).astype(int)
        x1, y1 = np.minimum(x0 + 1, cols - 1), np.minimum(y0 + 1, rows - 1)
        fx, fy = np.clip(x - x0, 0, 1), np.clip(y - y0, 0, 1)
        h, out = self.heights, np.zeros(np.shape(x))
        for yy, xx, w in ((y0, x0, (1 - fx) * (1 - fy)), (y0, x1, fx * (1 - fy)),
                          (y1, x0, (1 - fx) * fy), (y1, x1, fx * fy)):
            out = out + np.where(w > 0, h[yy, xx] * w, 0.0)  # a corner weighing 0 is not read
        return np.where(inside, out, np.nan)


def read_ascii_grid(path: str | Path) -> Grid:
    """The grid of an ESRI ASCII file. Raises GridError naming what is wrong."""
    head: dict[str, float] = {}
    with open(path, encoding="ascii", errors="replace") as fh:
        while True:
            pos, line = fh.tell(), fh.readline()
            parts = line.split()
            if len(parts) == 2 and parts[0].lower() in HEADER:
                try:
                    head[parts[0].lower()] = float(parts[1])
                except ValueError:
                    raise GridError(f"{path}: {parts[0]} is not a number") from None
                continue
            fh.seek(pos)
            break
        for key in ("ncols", "nrows", "cellsize"):
            if key not in head:
                raise GridError(f"{path}: the header has no {key}")
        try:
            values = np.loadtxt(fh, dtype=float, ndmin=2)
        except ValueError as err:
            raise GridError(f"{path}: {err}") from None
    rows, cols, cell = int(head["nrows"]), int(head["ncols"]), head["cellsize"]
    if values.shape != (rows, cols) or cell <= 0:
        raise GridError(f"{path}: {values.shape[0]}x{values.shape[1]} heights, the header "
                        f"says {rows}x{cols}")
    if "nodata_value" in head:
        values[values == head["nodata_value"]] = np.nan
    if "xllcenter" in head and "yllcenter" in head:
        lon0, lat0 = head["xllcenter"], head["yllcenter"]
    elif "xllcorner" in head and "yllcorner" in head:
        lon0, lat0 = head["xllcorner"] + cell / 2, head["yllcorner"] + cell / 2
    else:
        raise GridError(f"{path}: the header has no xllcorner/yllcorner")
    return Grid(values[::-1].copy(), lon0, lat0, cell)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    mid = math.radians((a[0] + b[0]) / 2)
    dy = math.radians(b[0] - a[0])
    dx = math.radians(b[1] - a[1]) * math.cos(mid)
    return EARTH_M * math.hypot(dx, dy)


def track(points: list[tuple[float, float]], sample_m: float = 0) -> list[tuple[float, float]]:
    """``points`` (lat, lon) with each straight leg between them sampled every
    ``sample_m`` metres."""
    if sample_m <= 0 or len(points) < 2:
        return list(points)
    out = [points[0]]
    for a, b in zip(points, points[1:], strict=False):
        n = max(1, math.ceil(_metres(a, b) / sample_m))
        out += [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n)
                for i in range(1, n + 1)]
    return out


def climb(grid: Grid, points: list[tuple[float, float]], sample_m: float = 0) -> float | None:
    """Metres climbed riding through ``points`` (lat, lon) in order; ``None`` when the
    grid knows the height of none of them."""
    pts = track(points, sample_m)
    if not pts:
        return None
    h = grid.at([p[0] for p in pts], [p[1] for p in pts])
    known = h[~np.isnan(h)]
    if known.size == 0:
        return None
    return float(np.clip(np.diff(known), 0, None).sum())
