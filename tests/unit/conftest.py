"""Fixtures the contexts' unit tests share: ``world`` (the shopping core on moto: catalog,
identity, stock, a customer with a cart, the events published) and ``shop`` (that world with
the refund saga's calls wired, for returns and the ledger).

moto's TransactWriteItems backs up every table by deep copy; the local cloud's item-level
rollback (``localcloud.moto_transactions``) is installed here too, so a test that writes
thousands of items in transactions (the reviews import) is not quadratic.
"""

from localcloud.moto_transactions import install_item_level_transactions
from tests.unit.returns_tests.refunds import shop  # noqa: F401  (a fixture)
from tests.unit.shop import world  # noqa: F401  (a fixture)

install_item_level_transactions()
