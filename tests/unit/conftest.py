"""Fixtures the contexts' unit tests share: ``world`` (the shopping core on moto: catalog,
identity, stock, a customer with a cart, the events published) and ``shop`` (that world with
the refund saga's calls wired, for returns and the ledger)."""

from tests.unit.returns_tests.refunds import shop  # noqa: F401  (a fixture)
from tests.unit.shop import world  # noqa: F401  (a fixture)
