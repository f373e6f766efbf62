"""Shipping use cases: quote a parcel on a route with every service that takes it, and quote
a cart's or a checkout's packages (one per seller) with the options the buyer chooses from.

Every option carries a promised delivery date: the fitted promise (``PromiseTable``) from the
purchase date in Brazil's time, scaled to the service's speed (``domain.service_days``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from shipping import domain, places, settings
from shipping.schemas import ShippingQuoteOut, ShippingQuotesOut
from titan import clock
from titan.errors import Unprocessable
from titan.schemas import Money

#: The market service: priced like the freight Olist's sellers charged (places.market()).
MARKET = "MARKET"
#: The seller's own flat rate: the offers' freight (what Olist's sellers charged), shipped
#: with the national post's standard service.
SELLER = "SELLER"
#: Brasilia time (no daylight saving since 2019): the calendar a promised date is in.
BRASILIA = timezone(timedelta(hours=-3), "BRT")
CURRENCY = "BRL"


def local_date(moment: datetime) -> date:
    """The date in Brasilia of an aware ``moment``."""
    return moment.astimezone(BRASILIA).date()


def promised_by(
    at: datetime, destination_state: str, seller_id: str | None, service, zone: str
) -> date:
    """The promised delivery date of a purchase at ``at`` (aware) by ``service`` (a
    ``domain.Service``, or None for the standard post)."""
    bought = local_date(at)
    base = places.promise().days(destination_state, seller_id, bought.weekday())
    return bought + timedelta(days=domain.service_days(base, service, zone))


def _carrier_options(
    parcel: domain.Parcel,
    route: domain.Route,
    declared_value: int,
    items: int,
    at: datetime,
    seller_id: str | None,
) -> tuple[list[dict], list[str]]:
    """Each service's offer (``{service, carrier, name, freight, insurance, transitDays,
    promisedBy}``, amounts in minor units) and, for services that refuse the parcel, why."""
    options, refusals = [], []
    state = route.destination.state
    for service in domain.SERVICES:
        reason = service.refusal(parcel)
        if reason:
            refusals.append(f"{service.carrier} {service.name}: {reason}")
            continue
        options.append(
            {
                "service": service.code,
                "carrier": service.carrier,
                "name": service.name,
                "freight": service.freight(parcel, route),
                "insurance": service.insurance(declared_value),
                "transitDays": service.transit_days[route.zone],
                "promisedBy": promised_by(at, state, seller_id, service, route.zone),
            }
        )
    if options:
        standard = domain.SERVICES[0]
        options.append(
            {
                "service": MARKET,
                "carrier": standard.carrier,
                "name": "Market rate",
                "freight": places.market().freight(parcel, route, items, declared_value),
                "insurance": 0,  # Olist's freight already held what sellers paid to insure
                "transitDays": standard.transit_days[route.zone],
                "promisedBy": promised_by(at, state, seller_id, None, route.zone),
            }
        )
    return options, refusals


def quote(
    origin_zip: str,
    destination_zip: str,
    parcel: domain.Parcel,
    declared_value: int,
    items: int,
    seller_id: str | None = None,
) -> ShippingQuotesOut:
    """Every service's price, transit time and promised date for ``parcel`` from
    ``origin_zip`` to ``destination_zip`` bought now, cheapest first; ``declared_value`` in
    minor units (BRL). Raises ``Unprocessable`` (PARCEL_NOT_CARRIED) when no carrier takes
    the parcel."""
    route = domain.Route(places.place(origin_zip), places.place(destination_zip))
    options, refusals = _carrier_options(
        parcel, route, declared_value, items, clock.now(), seller_id
    )
    if not options:
        detail = "No carrier takes this parcel: " + "; ".join(refusals) + "."
        raise Unprocessable(detail, code="PARCEL_NOT_CARRIED")
    shown = [ShippingQuoteOut(**_money(option)) for option in options]
    shown.sort(key=lambda o: (o.total.amount, o.transitDays))
    return ShippingQuotesOut(
        zone=route.zone,
        distanceKm=round(route.km, 1),
        billableWeightGrams=round(parcel.billable_kg * 1000),
        options=shown,
    )


def _money(option: dict) -> dict:
    """An option as the API shows it: amounts as Money, the date as ISO text."""
    total = option["freight"] + option["insurance"]
    return {
        **option,
        "freight": Money.of(option["freight"], CURRENCY),
        "insurance": Money.of(option["insurance"], CURRENCY),
        "total": Money.of(total, CURRENCY),
        "promisedBy": option["promisedBy"].isoformat(),
        **({"subsidy": Money.of(option["subsidy"], CURRENCY)} if "subsidy" in option else {}),
    }


def _parcel(line: dict) -> domain.Parcel | None:
    parcel = line.get("parcel")
    if not parcel:
        return None
    return domain.Parcel(
        int(parcel["weightGrams"]),
        float(parcel["lengthCm"]),
        float(parcel["heightCm"]),
        float(parcel["widthCm"]),
    )


def _package_options(seller_id: str, lines: list[dict], destination_zip: str, at: datetime) -> dict:
    """One seller's package: its lines, the packed parcel and the options. The seller's rate
    is always offered; carriers' services only when every item has a weight and dimensions
    and the seller's zip code is known."""
    items_value = sum(int(line["unitPrice"]) * int(line["quantity"]) for line in lines)
    destination = places.place(destination_zip)
    origin_zip = next((line.get("originZip") for line in lines if line.get("originZip")), None)
    route = domain.Route(places.place(origin_zip), destination) if origin_zip else None
    # With no origin, the seller's rate is promised as if across the country.
    zone = route.zone if route else "NATIONAL"
    standard = domain.SERVICES[0]
    options = [
        {
            "service": SELLER,
            "carrier": standard.carrier,
            "name": "Seller's rate",
            "freight": sum(int(line["freight"]) * int(line["quantity"]) for line in lines),
            "insurance": 0,
            "transitDays": standard.transit_days[zone],
            "promisedBy": promised_by(at, destination.state, seller_id, None, zone),
        }
    ]
    parcels = [_parcel(line) for line in lines]
    packed = None
    if route and all(parcels):
        units = [
            p for p, line in zip(parcels, lines, strict=True) for _ in range(int(line["quantity"]))
        ]
        packed = domain.Parcel.packed(units)
        quantity = sum(int(line["quantity"]) for line in lines)
        carried, _ = _carrier_options(packed, route, items_value, quantity, at, seller_id)
        options += carried
    free = domain.FreeShipping(settings.SETTINGS.free_shipping_minimum)
    for option in options:
        if free.applies(option["service"], items_value):
            option["subsidy"] = option["freight"] + option["insurance"]
            option["freight"] = option["insurance"] = 0
            option["fundedBy"] = free.funded_by
    options.sort(key=lambda o: (o["freight"] + o["insurance"], o["promisedBy"]))
    return {
        "sellerId": seller_id,
        "lineIds": [line["lineId"] for line in lines],
        "originZip": origin_zip,
        "destinationZip": destination_zip,
        "itemsValue": items_value,
        "parcel": (
            None
            if packed is None
            else {
                "weightGrams": packed.weight_g,
                "lengthCm": packed.length_cm,
                "heightCm": packed.height_cm,
                "widthCm": packed.width_cm,
            }
        ),
        "options": options,
    }


def packages(lines: list[dict], destination_zip: str, at: datetime | None = None) -> list[dict]:
    """A cart's packages, one per seller in the order the sellers first appear: ``lines``
    are quoted cart lines (``lineId``, ``sellerId``, ``quantity``, ``unitPrice`` and
    ``freight`` per unit in minor units, optional ``parcel`` ``{weightGrams, lengthCm,
    heightCm, widthCm}`` of one unit and ``originZip``, the seller's zip code). Each package
    is ``{sellerId, lineIds, originZip, destinationZip, itemsValue, parcel, options}``, its
    options cheapest first (amounts in minor units, ``promisedBy`` a date). Raises
    ValueError for a destination that is not a zip code."""
    by_seller: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        by_seller[line["sellerId"]].append(line)
    at = at or clock.now()
    return [
        _package_options(seller, grouped, destination_zip, at)
        for seller, grouped in by_seller.items()
    ]


def choose(packed: list[dict], choices: dict[str, str], lines: list[dict]) -> dict:
    """The chosen option of each package (``choices`` maps a seller id to a service; a
    package not named ships at the seller's rate) → ``{"packages": [...], "lines": [...],
    "freight": total}``: each package with ``service``, ``carrier``, ``freight`` (what the
    buyer pays for it: carriage and insurance, minor units), ``subsidy``, ``fundedBy`` and
    ``promisedBy`` (ISO date); each line with ``lineFreight``, its share of its package's
    freight (the seller's rate stays each line's offer freight; a carrier's price is split
    by the lines' value, ``domain.allocate``). Raises Unprocessable SHIPPING_OPTION_UNAVAILABLE
    for a choice of a seller not in the cart or of a service the package is not offered."""
    sellers = {package["sellerId"] for package in packed}
    strangers = sorted(set(choices) - sellers)
    if strangers:
        raise Unprocessable(
            f"No package in this cart is sold by {', '.join(strangers)}.",
            code="SHIPPING_OPTION_UNAVAILABLE",
        )
    by_line = {line["lineId"]: line for line in lines}
    chosen, freights = [], {}
    for package in packed:
        wanted = choices.get(package["sellerId"], SELLER)
        option = next((o for o in package["options"] if o["service"] == wanted), None)
        if option is None:
            offered = ", ".join(o["service"] for o in package["options"])
            raise Unprocessable(
                f"{wanted} does not carry the package of seller {package['sellerId']}; "
                f"its options are {offered}.",
                code="SHIPPING_OPTION_UNAVAILABLE",
            )
        own = [by_line[line_id] for line_id in package["lineIds"]]
        charged = option["freight"] + option["insurance"]
        if wanted == SELLER:
            shares = [int(line["freight"]) * int(line["quantity"]) for line in own]
        else:
            values = [int(line["unitPrice"]) * int(line["quantity"]) for line in own]
            shares = domain.allocate(charged, values)
        freights.update(zip(package["lineIds"], shares, strict=True))
        chosen.append(
            {
                key: package[key]
                for key in (
                    "sellerId",
                    "lineIds",
                    "originZip",
                    "destinationZip",
                    "parcel",
                    "itemsValue",
                )
            }
            | {
                "service": wanted,
                "carrier": option["carrier"],
                "freight": charged,
                "subsidy": option.get("subsidy", 0),
                "fundedBy": option.get("fundedBy"),
                "promisedBy": option["promisedBy"].isoformat(),
            }
        )
    return {
        "packages": chosen,
        "lines": [{**line, "lineFreight": freights[line["lineId"]]} for line in lines],
        "freight": sum(freights.values()),
    }
