"""The sandbox carriers fulfilment works with: who carries each shipping service, the
prefixes of their tracking numbers, and their webhook signing keys.

Each carrier signs its tracking webhooks with its own key. In the sandbox the keys derive
from one platform secret (Secrets Manager, read with Powertools Parameters and cached), so
the simulator can sign as the carriers do; a real carrier's key would be its own secret.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from aws_lambda_powertools.utilities import parameters

from fulfilment import settings


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    #: Two letters before the S10 serial, per service it carries
    prefixes: dict[str, str]


CARRIERS = {
    "correio": Carrier(
        "correio",
        "Correio Nacional",
        {"POST_STANDARD": "PN", "POST_EXPRESS": "SX", "SELLER": "PN", "MARKET": "PN"},
    ),
    "rapido": Carrier("rapido", "Rapido Transportes", {"RAPIDO_ROAD": "RP"}),
}


def carrier_of(service: str) -> Carrier:
    """The carrier of a shipping service. Raises KeyError for an unknown service."""
    for carrier in CARRIERS.values():
        if service in carrier.prefixes:
            return carrier
    raise KeyError(service)


def signing_key(carrier: str) -> str:
    """The key ``carrier`` signs its webhooks with (see the module doc)."""
    secret = parameters.get_secret(settings.SETTINGS.needed("carrier_webhook_secret"), max_age=300)
    return key_of(str(secret), carrier)


def key_of(secret: str, carrier: str) -> str:
    """A carrier's signing key derived from the platform's ``secret``: HMAC-SHA256 of the
    carrier's code."""
    return hmac.new(secret.encode(), carrier.encode(), hashlib.sha256).hexdigest()
