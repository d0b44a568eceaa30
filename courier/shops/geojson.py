"""Reading zone polygons from GeoJSON (RFC 7946) strictly, with messages a person
can act on: which polygon, which ring, which position, and what is wrong with it.

GeoJSON positions are ``[longitude, latitude]``. The commonest mistake is the
other order; it is caught when a latitude is out of range and, for places where
both orders are in range (most of Europe), when the zone misses every reference
point (the shops, the existing zones) that the swapped zone would contain.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

MAX_POSITIONS = 20_000
ZONE_TYPES = ("Polygon", "MultiPolygon")
SWAP_HINT = "GeoJSON positions are [longitude, latitude]"


class GeoJSONError(ValueError):
    """Invalid zone geometry; ``problems`` maps a path in the document to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _check_position(pos, path: str, problems: dict, counter: list[int]) -> None:
    counter[0] += 1
    if not isinstance(pos, list | tuple) or len(pos) not in (2, 3) \
            or not all(_is_number(v) for v in pos):
        problems[path] = "a position is [longitude, latitude] (two finite numbers)"
        return
    lon, lat = pos[0], pos[1]
    if not -90 <= lat <= 90:
        hint = (f": [{lon:g}, {lat:g}] looks like [latitude, longitude]; {SWAP_HINT}"
                if -90 <= lon <= 90 and -180 <= lat <= 180 else "")
        problems[path] = f"latitude {lat:g} is out of range (-90 to 90){hint}"
    elif not -180 <= lon <= 180:
        problems[path] = f"longitude {lon:g} is out of range (-180 to 180)"


def _check_ring(ring, path: str, problems: dict, counter: list[int]) -> None:
    if not isinstance(ring, list | tuple):
        problems[path] = "a ring is a list of positions"
        return
    if len(ring) < 4:
        problems[path] = (f"a ring needs at least 4 positions (the last repeating the first); "
                          f"it has {len(ring)}")
        return
    before = len(problems)
    for i, pos in enumerate(ring):
        _check_position(pos, f"{path}[{i}]", problems, counter)
    if len(problems) == before and list(ring[0][:2]) != list(ring[-1][:2]):
        first, last = ring[0], ring[-1]
        problems[path] = (f"the ring is not closed: it starts at [{first[0]:g}, {first[1]:g}] "
                          f"and ends at [{last[0]:g}, {last[1]:g}]; the last position must "
                          f"repeat the first")


def _check_polygon(rings, path: str, problems: dict, counter: list[int]) -> None:
    if not isinstance(rings, list | tuple) or not rings:
        problems[path] = "a polygon is a non-empty list of rings (the outline, then any holes)"
        return
    for i, ring in enumerate(rings):
        _check_ring(ring, f"{path}[{i}]", problems, counter)


_WHERE = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]$")


def _validity(geom: BaseGeometry) -> str | None:
    """Why shapely finds ``geom`` invalid, in plain words, or None if it is valid."""
    reason = shapely.is_valid_reason(geom)
    if reason == "Valid Geometry":
        return None
    m = _WHERE.match(reason)
    what, where = (m["what"], f" near [{float(m['x']):g}, {float(m['y']):g}]") if m \
        else (reason, "")
    words = {
        "Self-intersection": "the outline crosses itself",
        "Ring Self-intersection": "a ring touches itself",
        "Hole lies outside shell": "a hole lies outside the outline",
        "Nested shells": "one polygon lies inside another",
        "Interior is disconnected": "a hole cuts the polygon in two",
        "Too few points": "a ring has too few distinct points",
        "Nested holes": "a hole lies inside another hole",
        "Duplicate Rings": "a ring is repeated",
    }
    return f"{words.get(what, what.lower())}{where}: the polygon is not valid"


def zone_geometry(obj, path: str = "geometry",
                  reference: Iterable[tuple[float, float]] = ()) -> BaseGeometry:
    """The shapely geometry of a GeoJSON Polygon/MultiPolygon, or GeoJSONError.

    ``reference`` holds ``(lon, lat)`` points that a zone is expected to cover at
    least one of (shops, existing zones): used only to detect swapped coordinates.
    """
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeoJSONError({path: "a GeoJSON geometry object with a \"type\" is required"})
    kind = obj["type"]
    if kind not in ZONE_TYPES:
        raise GeoJSONError({f"{path}.type": f"a zone is a Polygon or a MultiPolygon, "
                                            f"not {kind!r}"})
    coords = obj.get("coordinates")
    problems: dict[str, str] = {}
    counter = [0]
    cpath = f"{path}.coordinates"
    if kind == "Polygon":
        _check_polygon(coords, cpath, problems, counter)
    elif not isinstance(coords, list | tuple) or not coords:
        problems[cpath] = "a MultiPolygon is a non-empty list of polygons"
    else:
        for i, poly in enumerate(coords):
            _check_polygon(poly, f"{cpath}[{i}]", problems, counter)
    if counter[0] > MAX_POSITIONS:
        problems[cpath] = f"too many positions ({counter[0]}; at most {MAX_POSITIONS})"
    if problems:
        raise GeoJSONError(problems)
    geom = shape({"type": kind, "coordinates": coords})
    polygons = [geom] if isinstance(geom, Polygon) else list(geom.geoms)
    for i, poly in enumerate(polygons):
        where = cpath if kind == "Polygon" else f"{cpath}[{i}]"
        why = _validity(poly)
        if why:
            raise GeoJSONError({where: why})
        if poly.area == 0:
            raise GeoJSONError({where: "the polygon has no area"})
    if isinstance(geom, MultiPolygon) and _validity(geom):
        raise GeoJSONError({cpath: "the polygons overlap: merge them into one"})
    _check_not_swapped(geom, list(reference), cpath)
    return geom


def _check_not_swapped(geom: BaseGeometry, reference: list[tuple[float, float]],
                       path: str) -> None:
    if not reference:
        return
    points = [Point(lon, lat) for lon, lat in reference]
    if any(geom.covers(p) for p in points):
        return
    swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
    if any(swapped.covers(p) for p in points):
        raise GeoJSONError({path: f"the coordinates look swapped: no shop or existing zone "
                                  f"lies inside, but they do with each position read the "
                                  f"other way round; {SWAP_HINT}"})


def features(doc) -> list[tuple[str, dict]]:
    """``(path, feature)`` pairs of a FeatureCollection, a Feature or a bare geometry."""
    if not isinstance(doc, dict):
        raise GeoJSONError({"_body": "a GeoJSON object is required"})
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list) or not feats:
            raise GeoJSONError({"features": "a non-empty list of features is required"})
        return [(f"features[{i}]", f) for i, f in enumerate(feats)]
    if kind == "Feature":
        return [("feature", doc)]
    if kind in ZONE_TYPES:
        return [("geometry", {"type": "Feature", "geometry": doc, "properties": {}})]
    raise GeoJSONError({"type": f"expected a FeatureCollection, a Feature or a Polygon, "
                                f"not {kind!r}"})

