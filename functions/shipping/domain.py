"""Shipping rules, pure (no I/O): a parcel's billable weight, the route between two zip-code
prefixes, the zones and rate tables of the sandbox carriers, declared-value insurance, and the
market service priced like the freight Olist's sellers charged.

Money is in minor units (centavos for BRL); weights in grams or kilograms as named; lengths
in centimetres; distances in kilometres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Cubic (dimensional) weight: length x height x width in cm3 per kg, the divisor Brazil's
#: national post and most couriers use (Correios, "peso cubico"; IATA's volumetric 6,000).
CUBIC_DIVISOR = 6000
#: Mean Earth radius in km (IUGG), for the haversine great-circle distance.
EARTH_RADIUS_KM = 6371.0088
#: Brazil's regions by state (IBGE): routes between regions cost and take more.
REGIONS = {
    **dict.fromkeys(["SP", "RJ", "MG", "ES"], "SE"),
    **dict.fromkeys(["PR", "SC", "RS"], "S"),
    **dict.fromkeys(["DF", "GO", "MT", "MS"], "CO"),
    **dict.fromkeys(["BA", "SE", "AL", "PE", "PB", "RN", "CE", "PI", "MA"], "NE"),
    **dict.fromkeys(["PA", "AM", "AP", "RR", "RO", "AC", "TO"], "N"),
}


class ParcelRefused(ValueError):
    """No service carries the parcel: ``reason`` says why (the heaviest or largest limit)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Parcel:
    """A package as it ships: actual weight in grams, outer dimensions in cm."""

    weight_g: int
    length_cm: float
    height_cm: float
    width_cm: float

    @property
    def cubic_kg(self) -> float:
        """Dimensional weight: the volume in cm3 over ``CUBIC_DIVISOR``."""
        return self.length_cm * self.height_cm * self.width_cm / CUBIC_DIVISOR

    @property
    def billable_kg(self) -> float:
        """What carriers charge for: the larger of the actual and the cubic weight, in kg."""
        return max(self.weight_g / 1000, self.cubic_kg)

    @property
    def girth_cm(self) -> float:
        """The sum of the three dimensions, which carriers limit."""
        return self.length_cm + self.height_cm + self.width_cm

    @classmethod
    def packed(cls, items: list[Parcel]) -> Parcel:
        """One box holding ``items`` (each unit once): their weights added, the items laid
        side by side on their largest face, so the box is as long and wide as the largest
        item and as high as their heights stacked. A simple packing rule, not an optimal
        one: it never understates the volume a carrier will measure by much."""
        faces = [sorted((p.length_cm, p.height_cm, p.width_cm), reverse=True) for p in items]
        return cls(
            weight_g=sum(p.weight_g for p in items),
            length_cm=max(f[0] for f in faces),
            width_cm=max(f[1] for f in faces),
            height_cm=round(sum(f[2] for f in faces), 1),
        )


@dataclass(frozen=True)
class Place:
    """Where a zip-code prefix lies (the median of the points seen) and its state."""

    prefix: str
    lat: float
    lng: float
    state: str


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two places by the haversine formula, in km."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Route:
    """From the seller's place to the buyer's."""

    origin: Place
    destination: Place

    @property
    def km(self) -> float:
        return distance_km(self.origin, self.destination)

    @property
    def same_state(self) -> bool:
        return self.origin.state == self.destination.state

    @property
    def regions(self) -> str:
        """``"SE>NE"``: the origin's and the destination's regions."""
        return f"{REGIONS.get(self.origin.state, '?')}>{REGIONS.get(self.destination.state, '?')}"

    @property
    def zone(self) -> str:
        """The carriers' zone: LOCAL (same state, within 50 km), STATE (same state), REGIONAL
        (another state within 1,000 km) or NATIONAL."""
        km = self.km
        if self.same_state:
            return "LOCAL" if km <= 50 else "STATE"
        return "REGIONAL" if km <= 1000 else "NATIONAL"


ZONES = ("LOCAL", "STATE", "REGIONAL", "NATIONAL")


@dataclass(frozen=True)
class Service:
    """A carrier service's rate table: per zone, the price of the first kg and of each
    further started kg (minor units), and the transit time in business days; the parcels it
    takes; and declared-value insurance (``insurance_bps`` of the value above
    ``insured_free``, minor units)."""

    code: str
    carrier: str
    name: str
    first_kg: dict[str, int]
    extra_kg: dict[str, int]
    transit_days: dict[str, int]
    max_kg: float
    max_girth_cm: float
    max_side_cm: float
    insurance_bps: int
    insured_free: int

    def refusal(self, parcel: Parcel) -> str | None:
        """Why the service does not take ``parcel`` (None when it does)."""
        if parcel.billable_kg > self.max_kg:
            return f"heavier than {self.max_kg:g} kg"
        if parcel.girth_cm > self.max_girth_cm:
            return f"length + height + width over {self.max_girth_cm:g} cm"
        if max(parcel.length_cm, parcel.height_cm, parcel.width_cm) > self.max_side_cm:
            return f"a side over {self.max_side_cm:g} cm"
        return None

    def freight(self, parcel: Parcel, route: Route) -> int:
        """The freight of ``parcel`` on ``route`` (minor units), insurance excluded."""
        zone = route.zone
        started_kg = max(1, math.ceil(parcel.billable_kg - 1e-9))
        return self.first_kg[zone] + (started_kg - 1) * self.extra_kg[zone]

    def insurance(self, declared_value: int) -> int:
        """Declared-value insurance (minor units), rounded half up."""
        insured = max(0, declared_value - self.insured_free)
        return (insured * self.insurance_bps + 5000) // 10000


#: The sandbox carriers and their rate tables (BRL). The national post's two services follow
#: the shape of Correios' PAC and SEDEX tables (a price for the first kg per zone, then per
#: started kg); "Rapido" is a private road carrier, cheaper between states for heavy parcels
#: and slower nearby. docs/logistics.md lists them.
SERVICES = (
    Service(
        code="POST_STANDARD",
        carrier="Correio Nacional",
        name="Standard",
        first_kg={"LOCAL": 1590, "STATE": 1890, "REGIONAL": 2490, "NATIONAL": 3290},
        extra_kg={"LOCAL": 190, "STATE": 290, "REGIONAL": 490, "NATIONAL": 790},
        transit_days={"LOCAL": 3, "STATE": 5, "REGIONAL": 8, "NATIONAL": 12},
        max_kg=30,
        max_girth_cm=200,
        max_side_cm=100,
        insurance_bps=100,
        insured_free=2500,
    ),
    Service(
        code="POST_EXPRESS",
        carrier="Correio Nacional",
        name="Express",
        first_kg={"LOCAL": 2190, "STATE": 2790, "REGIONAL": 3990, "NATIONAL": 5490},
        extra_kg={"LOCAL": 290, "STATE": 490, "REGIONAL": 890, "NATIONAL": 1390},
        transit_days={"LOCAL": 1, "STATE": 2, "REGIONAL": 4, "NATIONAL": 6},
        max_kg=30,
        max_girth_cm=200,
        max_side_cm=100,
        insurance_bps=100,
        insured_free=2500,
    ),
    Service(
        code="RAPIDO_ROAD",
        carrier="Rapido Transportes",
        name="Road",
        first_kg={"LOCAL": 1790, "STATE": 1990, "REGIONAL": 2390, "NATIONAL": 2990},
        extra_kg={"LOCAL": 150, "STATE": 190, "REGIONAL": 290, "NATIONAL": 450},
        transit_days={"LOCAL": 4, "STATE": 5, "REGIONAL": 7, "NATIONAL": 11},
        max_kg=50,
        max_girth_cm=300,
        max_side_cm=150,
        insurance_bps=80,
        insured_free=0,
    ),
)


def band(value: float, edges: list[float]) -> int:
    """The index of the band ``value`` falls in: edges[i] <= value < edges[i + 1]."""
    index = 0
    for i, edge in enumerate(edges):
        if value >= edge:
            index = i
    return index


@dataclass(frozen=True)
class MarketTable:
    """The market service's fitted prices: log(freight in BRL) is the sum of an effect per
    distance band, per billable-weight band, per declared-value band (BRL), for same-state
    routes, per pair of regions and per number of items in the package (1, 2, 3 or more).
    Fitted by ``infra/tools/fit_logistics.py``; unseen keys count 0."""

    distance_edges: list[float]
    weight_edges: list[float]
    value_edges: list[float]
    by_distance: list[float]
    by_weight: list[float]
    by_value: list[float]
    by_same_state: dict[str, float]
    by_regions: dict[str, float]
    by_items: list[float]

    def features(
        self, parcel: Parcel, route: Route, items: int, declared_value: int
    ) -> dict[str, object]:
        """The keys of each effect for a package of ``items`` items declared at
        ``declared_value`` (minor units)."""
        return {
            "distance": band(route.km, self.distance_edges),
            "weight": band(parcel.billable_kg, self.weight_edges),
            "value": band(declared_value / 100, self.value_edges),
            "same_state": str(route.same_state).lower(),
            "regions": route.regions,
            "items": min(max(items, 1), len(self.by_items)) - 1,
        }

    def log_price(self, keys: dict[str, object]) -> float:
        return (
            self.by_distance[keys["distance"]]
            + self.by_weight[keys["weight"]]
            + self.by_value[keys["value"]]
            + self.by_same_state.get(keys["same_state"], 0.0)
            + self.by_regions.get(keys["regions"], 0.0)
            + self.by_items[keys["items"]]
        )

    def freight(self, parcel: Parcel, route: Route, items: int, declared_value: int) -> int:
        """What Olist's sellers charged for such a package on such a route (minor units)."""
        keys = self.features(parcel, route, items, declared_value)
        return round(math.exp(self.log_price(keys)) * 100)


@dataclass(frozen=True)
class PromiseTable:
    """The delivery promise fitted on real orders: calendar days from the purchase date to
    the promised delivery date, at the quantile of delivery times the platform promises.

    ``by_place`` holds that quantile (after the seller and weekday effects are taken out) per
    ``""`` (everywhere), ``"<region>"`` and ``"<region>/<state>"`` of the destination, each
    already shrunk toward the level above by the number of orders seen there; ``by_seller``
    the days a seller hands parcels over later (or sooner, negative) than sellers at large,
    shrunk the same way; ``by_weekday`` the effect of the purchase's weekday (Monday 0).
    Fitted by ``infra/tools/fit_logistics.py`` (docs/logistics.md)."""

    quantile: float
    by_place: dict[str, float]
    by_seller: dict[str, float]
    by_weekday: list[float]

    def place_days(self, destination_state: str) -> float:
        """The deepest fitted level for the destination: state, else region, else all."""
        region = REGIONS.get(destination_state, "?")
        for key in (f"{region}/{destination_state}", region):
            if key in self.by_place:
                return self.by_place[key]
        return self.by_place[""]

    def days(self, destination_state: str, seller_id: str | None, weekday: int) -> int:
        """Whole calendar days from the purchase date to the promised date (at least 1)."""
        days = (
            self.place_days(destination_state)
            + self.by_seller.get(seller_id or "", 0.0)
            + self.by_weekday[weekday]
        )
        return max(1, math.ceil(days - 1e-9))


def allocate(total: int, weights: list[int]) -> list[int]:
    """``total`` (minor units) split in proportion to ``weights``, in whole units that add up
    to ``total`` exactly: the largest-remainder (Hamilton) method. Equal shares when every
    weight is 0. Raises ValueError when ``weights`` is empty or holds a negative weight."""
    if not weights or min(weights) < 0:
        raise ValueError("weights must be non-negative and not empty")
    if sum(weights) == 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    left = total - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class FreeShipping:
    """Free shipping with ``service`` for a package whose items come to at least ``minimum``
    (minor units); the carrier is paid by ``funded_by`` (PLATFORM or SELLER)."""

    minimum: int
    service: str = "POST_STANDARD"
    funded_by: str = "PLATFORM"

    def applies(self, service: str, items_value: int) -> bool:
        return service == self.service and items_value >= self.minimum


def service_days(base_days: int, service: Service | None, zone: str) -> int:
    """A service's promise from the fitted one (``PromiseTable.days``), which is what Olist's
    carriers, mostly the national post's standard service, took: scaled by the service's
    transit time over the standard post's in the zone. ``service`` None is the standard."""
    if service is None:
        return base_days
    standard = SERVICES[0].transit_days[zone]
    return max(1, math.ceil(base_days * service.transit_days[zone] / standard - 1e-9))
