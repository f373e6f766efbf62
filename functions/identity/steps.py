"""Identity's saga steps (one Lambda, ``action`` picks the step; see ``titan.saga``).

- ``contact``: who receives an order and where: the customer's name and e-mail and one of
  their saved addresses, copied into the order so later address edits do not change it.
- ``seller_contacts``: the people acting for a seller, for what the seller must be told.
- ``account_contacts``: accounts' names and e-mail addresses, for what they must be told.
- ``grantSeller`` / ``revokeSeller``: the seller approval saga's step and compensation.
"""

from __future__ import annotations

from identity import service
from identity.domain import required_address_fields_missing
from identity.store import Account, Address
from titan.errors import NotFound
from titan.saga import StepRefused, steps


def contact(event: dict) -> dict:
    """``{"customerId", "addressId"}`` → ``{"name", "email", "address": {recipientName,
    street, number, complement, district, city, state, postalCode, country, phone}}``.

    Refuses 422 ``ADDRESS_NOT_FOUND`` when the address is not the customer's, 422
    ``ADDRESS_INCOMPLETE`` when a required field of a stored address is empty, 404
    ``ACCOUNT_NOT_FOUND`` when the account is gone."""
    try:
        account = Account.get(*Account.key(event["customerId"]))
    except Account.DoesNotExist as exc:
        raise StepRefused("ACCOUNT_NOT_FOUND", 404, "The account no longer exists.") from exc
    try:
        address = Address.get(*Address.key(event["customerId"], event["addressId"]))
    except Address.DoesNotExist as exc:
        raise StepRefused(
            "ADDRESS_NOT_FOUND", 422, "shippingAddressId is not one of your addresses."
        ) from exc
    missing = required_address_fields_missing(address.attribute_values)
    if missing:
        raise StepRefused(
            "ADDRESS_INCOMPLETE", 422, "The address lacks " + ", ".join(missing) + "."
        )
    return {
        "name": account.name,
        "email": account.email,
        "address": {
            "recipientName": address.recipient_name,
            "street": address.street,
            "number": address.number,
            "complement": address.complement,
            "district": address.district,
            "city": address.city,
            "state": address.state,
            "postalCode": address.postal_code,
            "country": address.country,
            "phone": address.phone,
        },
    }


def seller_contacts(event: dict) -> dict:
    """``{"sellerId"}`` → ``{"contacts": [{accountId, name, email}]}`` (empty when no account
    acts for the seller)."""
    return {"contacts": service.seller_contacts(event["sellerId"])}


def account_contacts(event: dict) -> dict:
    """``{"accountIds": [...]}`` → ``{"contacts": [{accountId, name, email}]}``
    (accounts that no longer exist are left out)."""
    return {"contacts": service.account_contacts(event["accountIds"])}


def grant_seller(event: dict) -> dict:
    """``{"accountId", "sellerId", "grantedBy"}`` → ``{"roles": [...]}``: the account acts
    for the seller from its next access token. Idempotent. Refuses 404 ACCOUNT_NOT_FOUND."""
    try:
        account = service.grant_role(
            event["grantedBy"], event["accountId"], "seller", event["sellerId"]
        )
    except NotFound as exc:
        raise StepRefused("ACCOUNT_NOT_FOUND", 404, "The applicant's account is gone.") from exc
    return {"roles": sorted(account.roles)}


def revoke_seller(event: dict) -> dict:
    """Compensation of ``grantSeller``: ``{"accountId", "sellerId", "grantedBy"}`` →
    ``{"revoked": bool}`` (only if the account still acts for that seller)."""
    try:
        account = Account.get(*Account.key(event["accountId"]), consistent_read=True)
    except Account.DoesNotExist:
        return {"revoked": False}
    if "seller" not in account.roles or account.seller_id != event["sellerId"]:
        return {"revoked": False}
    service.revoke_role(event["grantedBy"], event["accountId"], "seller")
    return {"revoked": True}


handler = steps(
    {
        "grantSeller": grant_seller,
        "revokeSeller": revoke_seller,
        "contact": contact,
        "seller_contacts": seller_contacts,
        "account_contacts": account_contacts,
    }
)
