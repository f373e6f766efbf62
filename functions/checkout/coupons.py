"""Coupon redemption and its compensation, each one DynamoDB transaction.

Redeeming adds one to the coupon's ``used`` (condition: below ``usage_limit``) and to the
customer's uses (condition: below ``per_customer_limit``) and records the checkout's
redemption (condition: none yet), so limits hold under any concurrency and a retried step
redeems once. Releasing reverses all three, once.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError, TransactWriteError

from checkout import domain
from checkout.store import CouponItem, CouponUse, Redemption
from titan import clock
from titan.dynamo import failed_conditions, transaction
from titan.saga import StepRefused


def coupon_of(item: CouponItem) -> domain.Coupon:
    parse = lambda text: clock.parse(text) if text else None  # noqa: E731
    return domain.Coupon(
        code=item.code,
        type=item.type,
        value=int(item.value),
        currency=item.currency,
        min_order=None if item.min_order is None else int(item.min_order),
        max_discount=None if item.max_discount is None else int(item.max_discount),
        valid_from=parse(item.valid_from),
        valid_until=parse(item.valid_until),
        active=bool(item.active),
    )


def find(code: str) -> CouponItem:
    """The coupon. Refuses 422 COUPON_NOT_FOUND."""
    try:
        return CouponItem.get(*CouponItem.key(code.upper()), consistent_read=True)
    except CouponItem.DoesNotExist as exc:
        raise StepRefused("COUPON_NOT_FOUND", 422, "No such coupon.") from exc


def redeem(checkout_id: str, customer_id: str, item: CouponItem, discount: int) -> None:
    """Count one use of ``item`` by ``customer_id`` for ``checkout_id`` (idempotent).

    Refuses 409 COUPON_USAGE_LIMIT_REACHED / COUPON_CUSTOMER_LIMIT_REACHED, and 409
    CHECKOUT_ALREADY_FAILED when this checkout's coupon use was already given back."""
    now = clock.iso()
    redemption = Redemption(
        *Redemption.key(checkout_id),
        checkout_id=checkout_id,
        code=item.code,
        customer_id=customer_id,
        discount=discount,
        status="REDEEMED",
        at=now,
    )
    coupon_limit = CouponItem.pk.exists()
    if item.usage_limit is not None:
        coupon_limit &= CouponItem.used < int(item.usage_limit)
    customer_limit = None
    if item.per_customer_limit is not None:
        customer_limit = CouponUse.used.does_not_exist() | (
            CouponUse.used < int(item.per_customer_limit)
        )
    try:
        with transaction() as write:
            write.save(redemption, condition=Redemption.pk.does_not_exist())
            write.update(item, actions=[CouponItem.used.add(1)], condition=coupon_limit)
            write.update(
                CouponUse(*CouponUse.key(item.code, customer_id)),
                actions=[CouponUse.used.add(1)],
                condition=customer_limit,
            )
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed == {0}:
            existing = Redemption.get(*Redemption.key(checkout_id), consistent_read=True)
            if existing.status == "REDEEMED":
                return
            raise StepRefused(
                "CHECKOUT_ALREADY_FAILED", 409, "This checkout was already given up."
            ) from exc
        if 1 in failed:
            raise StepRefused(
                "COUPON_USAGE_LIMIT_REACHED", 409, "This coupon has been used up."
            ) from exc
        if 2 in failed:
            raise StepRefused(
                "COUPON_CUSTOMER_LIMIT_REACHED",
                409,
                "You have used this coupon as often as it allows.",
            ) from exc
        raise


def release(checkout_id: str) -> bool:
    """Give back the coupon use of ``checkout_id``, once. True if a use was given back. With
    no redemption yet, records a RELEASED one so that a late redeem is refused."""
    for _ in range(3):
        try:
            redemption = Redemption.get(*Redemption.key(checkout_id), consistent_read=True)
        except Redemption.DoesNotExist:
            try:
                Redemption(
                    *Redemption.key(checkout_id),
                    checkout_id=checkout_id,
                    status="RELEASED",
                    at=clock.iso(),
                ).save(condition=Redemption.pk.does_not_exist())
                return False
            except PutError:
                continue
        if redemption.status != "REDEEMED" or redemption.code is None:
            return False
        try:
            with transaction() as write:
                write.update(
                    redemption,
                    actions=[Redemption.status.set("RELEASED"), Redemption.at.set(clock.iso())],
                    condition=Redemption.status == "REDEEMED",
                )
                write.update(
                    CouponItem(*CouponItem.key(redemption.code)),
                    actions=[CouponItem.used.add(-1)],
                    condition=CouponItem.used > 0,
                )
                write.update(
                    CouponUse(*CouponUse.key(redemption.code, redemption.customer_id)),
                    actions=[CouponUse.used.add(-1)],
                    condition=CouponUse.used > 0,
                )
            return True
        except TransactWriteError:
            continue
    raise RuntimeError(f"coupon use of {checkout_id} kept changing")
