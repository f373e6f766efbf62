"""Shipping use cases: quote a parcel on a route with every service that takes it."""

from __future__ import annotations

from shipping import domain, places
from shipping.schemas import ShippingQuoteOut, ShippingQuotesOut
from titan.errors import Unprocessable
from titan.schemas import Money

#: The market service: priced like the freight Olist's sellers charged (places.market()).
MARKET = "MARKET"


def quote(
    origin_zip: str, destination_zip: str, parcel: domain.Parcel, declared_value: int, items: int
) -> ShippingQuotesOut:
    """Every service's price and transit time for ``parcel`` from ``origin_zip`` to
    ``destination_zip``, cheapest first; ``declared_value`` in minor units (BRL). Raises
    ``Unprocessable`` (PARCEL_NOT_CARRIED) when no carrier takes the parcel."""
    route = domain.Route(places.place(origin_zip), places.place(destination_zip))
    options = []
    refusals = []
    for service in domain.SERVICES:
        reason = service.refusal(parcel)
        if reason:
            refusals.append(f"{service.carrier} {service.name}: {reason}")
            continue
        options.append(
            _option(
                service.code,
                service.carrier,
                service.name,
                service.freight(parcel, route),
                service.insurance(declared_value),
                service.transit_days[route.zone],
            )
        )
    if not options:
        detail = "No carrier takes this parcel: " + "; ".join(refusals) + "."
        raise Unprocessable(detail, code="PARCEL_NOT_CARRIED")
    market = places.market()
    options.append(
        _option(
            MARKET,
            "Titan market rate",
            "Market",
            market.freight(parcel, route, items, declared_value),
            0,  # Olist's freight already held what sellers paid to insure
            domain.SERVICES[0].transit_days[route.zone],  # the standard post's, for now
        )
    )
    options.sort(key=lambda o: (o.total.amount, o.transitDays))
    return ShippingQuotesOut(
        zone=route.zone,
        distanceKm=round(route.km, 1),
        billableWeightGrams=round(parcel.billable_kg * 1000),
        options=options,
    )


def _option(
    code: str, carrier: str, name: str, freight: int, insurance: int, days: int
) -> ShippingQuoteOut:
    return ShippingQuoteOut(
        service=code,
        carrier=carrier,
        name=name,
        freight=Money.of(freight, "BRL"),
        insurance=Money.of(insurance, "BRL"),
        total=Money.of(freight + insurance, "BRL"),
        transitDays=days,
    )
