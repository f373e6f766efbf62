"""Cart rules: adding, changing and removing lines, with conditional writes.

Quantities are per line (1..``MAX_QUANTITY``); adding an offer already in the cart adds to
its line. Prices are not stored: every read asks the catalog (``catalog`` steps ``quote``).
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from cart.store import LINE_TTL_SECONDS, MAX_LINES, MAX_QUANTITY, CartLine
from titan import clock
from titan.calls import invoke
from titan.dynamo import condition_failed
from titan.errors import NotFound, Unprocessable


def quote(lines: list[dict], partial: bool = False) -> dict:
    """The catalog's current prices for ``lines`` (see ``catalog.steps.quote``)."""
    return invoke("CATALOG_STEPS_FUNCTION", "quote", {"lines": lines, "partial": partial})


def add(
    customer_id: str, product_id: str, seller_id: str, quantity: int, sku_id: str | None = None
) -> CartLine:
    """Add ``quantity`` of an offer (``sku_id``: a variant of the seller's listing); an offer
    already in the cart adds to its line.

    Raises (as problems) 409 OFFER_UNAVAILABLE (from the catalog), 422 QUANTITY_LIMIT when the
    line would pass ``MAX_QUANTITY``, 422 CART_FULL at ``MAX_LINES`` lines."""
    line_id = CartLine.id_for(product_id, seller_id, sku_id)
    asked = {"lineId": line_id, "productId": product_id, "sellerId": seller_id, "quantity": 1}
    quote([asked | ({"skuId": sku_id} if sku_id else {})])
    for _ in range(2):  # a concurrent first add of the same offer: add to the line it made
        line = _add_to_line(customer_id, line_id, quantity)
        if line is not None:
            return line
        if _exists(customer_id, line_id):
            raise Unprocessable(
                f"A cart line holds at most {MAX_QUANTITY} units.", code="QUANTITY_LIMIT"
            )
        if len(CartLine.of(customer_id)) >= MAX_LINES:
            raise Unprocessable(f"A cart holds at most {MAX_LINES} lines.", code="CART_FULL")
        now = clock.iso()
        fresh = CartLine(
            *CartLine.key(customer_id, line_id),
            line_id=line_id,
            product_id=product_id,
            seller_id=seller_id,
            sku_id=sku_id,
            quantity=quantity,
            added_at=now,
            updated_at=now,
            expires_at=clock.epoch_seconds() + LINE_TTL_SECONDS,
        )
        try:
            fresh.save(condition=CartLine.pk.does_not_exist())
            return fresh
        except PutError as exc:
            if not condition_failed(exc):
                raise
    raise Unprocessable(f"A cart line holds at most {MAX_QUANTITY} units.", code="QUANTITY_LIMIT")


def _add_to_line(customer_id: str, line_id: str, quantity: int) -> CartLine | None:
    """Add to an existing line within the limit; None if there is no line or no room."""
    line = CartLine(*CartLine.key(customer_id, line_id))
    try:
        line.update(
            actions=[
                CartLine.quantity.add(quantity),
                CartLine.updated_at.set(clock.iso()),
                CartLine.expires_at.set(clock.epoch_seconds() + LINE_TTL_SECONDS),
            ],
            condition=CartLine.pk.exists() & (CartLine.quantity <= MAX_QUANTITY - quantity),
        )
        return line
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return None


def _exists(customer_id: str, line_id: str) -> bool:
    try:
        CartLine.get(*CartLine.key(customer_id, line_id), consistent_read=True)
        return True
    except CartLine.DoesNotExist:
        return False


def set_quantity(customer_id: str, line_id: str, quantity: int) -> CartLine:
    """Set a line's quantity. Raises 404 LINE_NOT_FOUND."""
    line = CartLine(*CartLine.key(customer_id, line_id))
    try:
        line.update(
            actions=[
                CartLine.quantity.set(quantity),
                CartLine.updated_at.set(clock.iso()),
                CartLine.expires_at.set(clock.epoch_seconds() + LINE_TTL_SECONDS),
            ],
            condition=CartLine.pk.exists(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotFound("No such cart line.", code="LINE_NOT_FOUND") from exc
        raise
    line.refresh(consistent_read=True)
    return line


def remove(customer_id: str, line_id: str) -> None:
    """Delete a line. Raises 404 LINE_NOT_FOUND."""
    try:
        CartLine(*CartLine.key(customer_id, line_id)).delete(condition=CartLine.pk.exists())
    except DeleteError as exc:
        if condition_failed(exc):
            raise NotFound("No such cart line.", code="LINE_NOT_FOUND") from exc
        raise


def _asked(lines: list[CartLine]) -> list[dict]:
    """``lines`` as the catalog's ``quote`` takes them."""
    return [x.asked() for x in lines]


def _priced(lines: list[CartLine]) -> tuple[list[dict], str]:
    """The API view of ``lines`` with the catalog's current prices (one quote for all), and
    the currency. A line whose offer is not sold now has ``available: false``, no prices, and
    ``unavailableReason`` (OFFER_UNAVAILABLE, or SHOP_ON_VACATION until the shop is back)."""
    asked = _asked(lines)
    quoted = quote(asked, partial=True) if asked else {"currency": "BRL", "lines": []}
    priced = {line["lineId"]: line for line in quoted["lines"]}
    reasons = quoted.get("reasons") or {}
    currency = quoted["currency"]
    money = lambda amount: {"amount": amount, "currency": currency}  # noqa: E731
    out = []
    for line in asked:
        price = priced.get(line["lineId"])
        entry = {**line, "available": price is not None}
        if price is None:
            entry["unavailableReason"] = reasons.get(line["lineId"], "OFFER_UNAVAILABLE")
        if price is not None:
            entry.update(
                offerId=price["offerId"],
                title=price["title"],
                unitPrice=money(price["unitPrice"]),
                freight=money(price["freight"] * line["quantity"]),
                lineTotal=money(price["unitPrice"] * line["quantity"]),
            )
        out.append(entry)
    return out, currency


def line_view(line: CartLine) -> dict:
    """One line as ``view`` shows it, quoting only that line."""
    return _priced([line])[0][0]


def view(customer_id: str) -> dict:
    """The cart with current prices: ``{lines: [...], subtotal, freight, total, itemCount}``.
    Lines whose offer is no longer sold stay, with ``available: false``, out of the totals."""
    lines, currency = _priced(CartLine.of(customer_id))
    sold = [line for line in lines if line["available"]]
    subtotal = sum(line["lineTotal"]["amount"] for line in sold)
    freight = sum(line["freight"]["amount"] for line in sold)
    return {
        "lines": lines,
        "itemCount": sum(line["quantity"] for line in sold),
        "subtotal": {"amount": subtotal, "currency": currency},
        "freight": {"amount": freight, "currency": currency},
        "total": {"amount": subtotal + freight, "currency": currency},
    }


def shipping_options(customer_id: str, address_id: str) -> dict:
    """Each seller's package in the cart, shipped to the customer's address ``address_id``,
    with its shipping options cheapest first (shipping's ``packages`` step):
    ``{"addressId", "packages": [{sellerId, lineIds, options: [...]}], "unavailableLineIds"}``
    with amounts as Money. Lines whose offer is no longer sold ship in no package. Raises (as
    problems) 422 EMPTY_CART, 422 ADDRESS_NOT_FOUND / ADDRESS_INCOMPLETE (identity),
    422 ADDRESS_NOT_SHIPPABLE (shipping)."""
    lines = CartLine.of(customer_id)
    if not lines:
        raise Unprocessable("The cart is empty.", code="EMPTY_CART")
    contact = invoke(
        "IDENTITY_STEPS_FUNCTION", "contact", {"customerId": customer_id, "addressId": address_id}
    )
    asked = _asked(lines)
    quoted = quote(asked, partial=True)
    packages = (
        invoke(
            "SHIPPING_STEPS_FUNCTION",
            "packages",
            {"lines": quoted["lines"], "destinationZip": contact["address"]["postalCode"]},
        )["packages"]
        if quoted["lines"]
        else []
    )
    money = lambda amount: {"amount": amount, "currency": quoted["currency"]}  # noqa: E731
    return {
        "addressId": address_id,
        "packages": [
            {
                "sellerId": package["sellerId"],
                "lineIds": package["lineIds"],
                "options": [
                    {
                        **option,
                        "freight": money(option["freight"]),
                        "insurance": money(option["insurance"]),
                        "total": money(option["freight"] + option["insurance"]),
                        "subsidy": money(option.get("subsidy", 0)),
                    }
                    for option in package["options"]
                ],
            }
            for package in packages
        ],
        "unavailableLineIds": quoted.get("unavailable", []),
    }
