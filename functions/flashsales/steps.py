"""Flash sales' saga steps (see ``titan.saga``): ``claim`` a reservation for a checkout and
its compensation ``unclaim``."""

from __future__ import annotations

from flashsales import service
from titan.events import publish
from titan.saga import steps


def claim(event: dict) -> dict:
    """``{"reservationId", "customerId", "checkoutId"}`` → ``{"lines": [one line at the sale
    price, with the inventory pool to draw from]}``. Refusals: see ``service.claim``."""
    return service.claim(event["reservationId"], event["customerId"], event["checkoutId"])


def unclaim(event: dict) -> dict:
    """Compensation. ``{"reservationId", "checkoutId"}`` → ``{"reservationId"}``; the
    reservation is held again (or expires, units back to the sale, if its hold has ended)."""
    publish(service.unclaim(event["reservationId"], event["checkoutId"]))
    return {"reservationId": event["reservationId"]}


handler = steps({"claim": claim, "unclaim": unclaim})
