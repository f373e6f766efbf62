"""The shipping context's synchronous interface (``titan-<stage>-shipping-steps``; see
``titan.saga``):

- ``packages``: a cart's packages, one per seller, with each one's shipping options, for
  ``GET /cart/shipping-options``;
- ``ship``: the checkout saga's step: the chosen option of each package, the freight each
  line bears and the packages the order will ship. Pure computation: nothing to compensate.
"""

from __future__ import annotations

from shipping import places, service
from titan.errors import Problem
from titan.saga import StepRefused, steps


def _destination(event: dict) -> str:
    zip_code = event.get("destinationZip") or ""
    try:
        places.place(zip_code)
    except ValueError as exc:
        raise StepRefused(
            "ADDRESS_NOT_SHIPPABLE", 422, f"{zip_code!r} is not a Brazilian zip code (CEP)."
        ) from exc
    return zip_code


def _json(package: dict) -> dict:
    return {
        **package,
        "options": [
            {**option, "promisedBy": option["promisedBy"].isoformat()}
            for option in package["options"]
        ],
    }


def packages(event: dict) -> dict:
    """``{"lines": quoted lines (catalog's ``quote``), "destinationZip"}`` →
    ``{"packages": [{sellerId, lineIds, originZip, destinationZip, itemsValue, parcel,
    options: [{service, carrier, name, freight, insurance, transitDays, promisedBy, subsidy?,
    fundedBy?}]}]}``, amounts in minor units, dates ISO. Refuses 422 ADDRESS_NOT_SHIPPABLE."""
    found = service.packages(event["lines"], _destination(event))
    return {"packages": [_json(package) for package in found]}


def ship(event: dict) -> dict:
    """``{"lines", "destinationZip", "choices": [{sellerId, service}] | None}`` →
    ``service.choose``'s ``{"packages", "lines" (with ``lineFreight``), "freight"}``.
    Refuses 422 SHIPPING_OPTION_UNAVAILABLE or ADDRESS_NOT_SHIPPABLE."""
    choices = {c["sellerId"]: c["service"] for c in event.get("choices") or []}
    found = service.packages(event["lines"], _destination(event))
    try:
        return service.choose(found, choices, event["lines"])
    except Problem as exc:
        raise StepRefused(exc.code, exc.status, exc.detail) from exc


handler = steps({"packages": packages, "ship": ship})
