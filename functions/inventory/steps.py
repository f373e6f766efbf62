"""Inventory's saga steps (see ``titan.saga``): ``reserve``, ``commit``, ``release`` for
checkout; ``restock`` for returns."""

from __future__ import annotations

from inventory import service
from titan.events import publish
from titan.saga import steps


def reserve(event: dict) -> dict:
    """``{"reservationId", "lines": [{offerId, quantity, poolId?}], "holdSeconds"?,
    "pool"?: bool}`` → ``{"reservationId", "expiresAt"}``. Refuses 409 OUT_OF_STOCK. See
    ``service.reserve`` for pools (units set aside for a flash sale) and drawing from them."""
    done = service.reserve(
        event["reservationId"],
        event["lines"],
        int(event.get("holdSeconds") or service.DEFAULT_HOLD_SECONDS),
        pool=bool(event.get("pool")),
    )
    publish(done.events)
    return {
        "reservationId": done.reservation.reservation_id,
        "expiresAt": done.reservation.expires_at,
    }


def commit(event: dict) -> dict:
    """``{"reservationId"}`` → ``{"reservationId", "status": "COMMITTED"}``."""
    publish(service.commit(event["reservationId"]))
    return {"reservationId": event["reservationId"], "status": "COMMITTED"}


def release(event: dict) -> dict:
    """Compensation. ``{"reservationId", "reason"?}`` → ``{"reservationId", "released": true}``."""
    publish(service.release(event["reservationId"], event.get("reason") or "CHECKOUT_FAILED"))
    return {"reservationId": event["reservationId"], "released": True}


def restock(event: dict) -> dict:
    """Refund saga: ``{"returnId", "reservationId", "lines": [{offerId, quantity}]}`` →
    ``{"returnId", "restocked": true}``."""
    publish(service.restock(event["returnId"], event["reservationId"], event["lines"]))
    return {"returnId": event["returnId"], "restocked": True}


handler = steps({"reserve": reserve, "commit": commit, "release": release, "restock": restock})
