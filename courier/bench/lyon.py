"""Real places in Lyon (and Villeurbanne) for the synthetic city benchmark.

Coordinates are WGS-84, to about 100 m: good enough to put jobs in the right
streets, which is all a geodesic benchmark needs. Shops are where parcels are
picked up (markets, shopping streets and centres); neighbourhoods are where
they go and where couriers live.
"""

from __future__ import annotations

from courier.routing.geo import LatLon

CITY = "Lyon"

# (south, west, north, east): Lyon and Villeurbanne inside the ring roads.
BOUNDS = (45.720, 4.785, 45.800, 4.910)

SHOPS: dict[str, LatLon] = {
    "Halles Paul Bocuse": LatLon(45.7628, 4.8506),
    "Place Bellecour": LatLon(45.7578, 4.8320),
    "Cordeliers": LatLon(45.7632, 4.8358),
    "Part-Dieu centre": LatLon(45.7612, 4.8555),
    "Confluence centre": LatLon(45.7413, 4.8181),
    "Croix-Rousse market": LatLon(45.7746, 4.8319),
    "Saint-Jean": LatLon(45.7621, 4.8272),
    "Place Gabriel Peri": LatLon(45.7553, 4.8425),
    "Monplaisir-Lumiere": LatLon(45.7451, 4.8708),
    "Gratte-Ciel": LatLon(45.7693, 4.8800),
    "Place Valmy": LatLon(45.7744, 4.8056),
    "Brotteaux": LatLon(45.7668, 4.8590),
    "Jean Mace": LatLon(45.7459, 4.8420),
}

NEIGHBOURHOODS: dict[str, LatLon] = {
    "Croix-Rousse plateau": LatLon(45.7780, 4.8290),
    "Ainay": LatLon(45.7530, 4.8280),
    "Gerland": LatLon(45.7320, 4.8310),
    "Etats-Unis": LatLon(45.7350, 4.8620),
    "Montchat": LatLon(45.7560, 4.8880),
    "Charpennes": LatLon(45.7705, 4.8633),
    "Cusset": LatLon(45.7650, 4.9000),
    "Vaise": LatLon(45.7790, 4.8040),
    "Point du Jour": LatLon(45.7550, 4.7950),
    "Saint-Just": LatLon(45.7570, 4.8180),
    "Cite Internationale": LatLon(45.7845, 4.8530),
    "Mermoz": LatLon(45.7320, 4.8700),
    "Sans Souci": LatLon(45.7480, 4.8650),
    "Prefecture": LatLon(45.7530, 4.8480),
    "Tete d'Or": LatLon(45.7770, 4.8520),
}
