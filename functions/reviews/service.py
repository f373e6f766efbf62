"""The reviews context's use cases: who may review what, writing a review through moderation,
editing and deleting it, staff's decisions, reports, the seller's reply, helpful votes, the
public lists, and the bulk import of past reviews.

Every change to a review that moves its stars in or out of a rating is one transaction with the
rating's counters (ADD on the score's counter), conditional on the review's ``revision``: two
edits racing, an edit racing a deletion, staff deciding twice, none can count a review twice or
lose it. A review is once per order line, once per package (its seller) and once per imported
review: a claim item put in the same transaction, on the condition that it does not exist.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from reviews import domain, settings
from reviews.store import (
    PRODUCT,
    SELLER,
    BurstCount,
    Claim,
    Rating,
    Report,
    Review,
    TextSeen,
    Vote,
)
from titan import clock
from titan.auth import Principal
from titan.aws import signing_s3
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from titan.events import DomainEvent, publish
from titan.ids import derived_id
from titan.uploads import IMAGE_TYPES, check_uploads, upload_form

#: The largest photo a review may carry (types: the kernel's IMAGE_TYPES).
MAX_PHOTO_BYTES = 5 * 1024 * 1024
#: Seconds a photo's link stays valid.
PHOTO_LINK_SECONDS = 3600
#: Reviews a list sorts in memory; past this, the oldest are left out of the sort.
MAX_LISTED = 5000
#: Writes retried when another writer changed the review between the read and the write.
ATTEMPTS = 5


# ------------------------------------------------------------------ what may be reviewed


@dataclass(frozen=True)
class Target:
    """One thing of an order a buyer can review: a line's product or a package's seller."""

    kind: str  # PRODUCT or SELLER
    subject_id: str
    claim: str  # the claim's sort key: LINE#<lineId> or SELLER#<sellerId>
    seller_id: str
    line_id: str | None = None
    product_id: str | None = None
    offer_id: str | None = None


def order_of(order_id: str) -> dict:
    """The order's view from the orders context. Raises NotFound ORDER_NOT_FOUND."""
    return invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": order_id})


def refunded_units(order: dict) -> dict[str, int]:
    """{lineId: units refunded} over the order's refunds."""
    units: dict[str, int] = {}
    for refund in order.get("refunds") or []:
        for line in refund.get("lines") or []:
            units[line["lineId"]] = units.get(line["lineId"], 0) + int(line.get("quantity", 0))
    return units


def targets(order: dict, refunded_too: bool = False) -> list[Target]:
    """What of ``order`` can be reviewed: each line's product unless the whole line was
    refunded, and each package's seller unless all its lines were (with ``refunded_too``,
    every line and seller)."""
    refunded = {} if refunded_too else refunded_units(order)
    kept = [
        line for line in order["lines"] if refunded.get(line["lineId"], 0) < int(line["quantity"])
    ]
    found = [
        Target(
            PRODUCT,
            line["productId"],
            f"LINE#{line['lineId']}",
            line["sellerId"],
            line["lineId"],
            line["productId"],
            line.get("offerId"),
        )
        for line in kept
    ]
    for seller_id in dict.fromkeys(line["sellerId"] for line in kept):
        found.append(Target(SELLER, seller_id, f"SELLER#{seller_id}", seller_id))
    return found


def delivered_at(order: dict):
    """When the order was delivered (its status history), or None."""
    for change in reversed(order.get("statusHistory") or []):
        if change["status"] == "DELIVERED":
            return clock.parse(change["at"])
    return None


def check_verified(order: dict, caller_id: str) -> None:
    """Raises NotFound ORDER_NOT_FOUND (not the caller's order), Conflict ORDER_NOT_DELIVERED,
    REVIEW_WINDOW_CLOSED (``review_window_days`` after delivery)."""
    if order.get("customerId") != caller_id:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    delivered = delivered_at(order)
    if order["status"] != "DELIVERED" or delivered is None:
        raise Conflict(
            f"An order that is {order['status']} cannot be reviewed yet: reviews open on delivery.",
            code="ORDER_NOT_DELIVERED",
        )
    closes = delivered + timedelta(days=settings.SETTINGS.review_window_days)
    if clock.now() > closes:
        raise Conflict(
            f"Reviews of this order closed at {clock.iso(closes)}.",
            code="REVIEW_WINDOW_CLOSED",
            closedAt=clock.iso(closes),
        )


def pick(order: dict, line_id: str | None, seller_id: str | None) -> Target:
    """The target a review request names: ``lineId`` (the product) or ``sellerId`` (the
    package). Raises Unprocessable UNKNOWN_LINE / UNKNOWN_SELLER, Conflict LINE_REFUNDED."""
    if line_id is not None:
        if line_id not in {line["lineId"] for line in order["lines"]}:
            raise Unprocessable(f"The order has no line {line_id}.", code="UNKNOWN_LINE")
        wanted = f"LINE#{line_id}"
    else:
        if seller_id not in {line["sellerId"] for line in order["lines"]}:
            raise Unprocessable(
                f"No package of this order comes from seller {seller_id}.", code="UNKNOWN_SELLER"
            )
        wanted = f"SELLER#{seller_id}"
    for target in targets(order):
        if target.claim == wanted:
            return target
    raise Conflict("What was refunded in full cannot be reviewed.", code="LINE_REFUNDED")


def order_reviews(caller: Principal, order_id: str) -> list[dict]:
    """The buyer's order's targets, each with its review (``view``) or None: ``[{kind,
    lineId, productId, sellerId, review}]``. Raises NotFound ORDER_NOT_FOUND for anyone
    else's order."""
    order = order_of(order_id)
    if order.get("customerId") != caller.id:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    claims = {
        claim.sk: claim.review_id
        for claim in Claim.query(f"ORDER#{order_id}", consistent_read=True)
    }
    found = []
    for t in targets(order):
        review_id = claims.get(t.claim)
        found.append(
            {
                "kind": t.kind,
                "lineId": t.line_id,
                "productId": t.product_id,
                "sellerId": t.seller_id,
                "review": view(get(review_id), caller) if review_id else None,
            }
        )
    return found


# ------------------------------------------------------------------ writing a review


def other_authors(fingerprint: str | None, author_id: str) -> int:
    """How many other accounts wrote this text; records ``author_id`` as one who did (one
    UpdateItem, outside the review's transaction: a write that then fails leaves the author
    recorded, which only ever holds their own text again, never someone else's)."""
    if not fingerprint:
        return 0
    seen = TextSeen(*TextSeen.key(fingerprint))
    seen.update(actions=[TextSeen.accounts.add({author_id})])
    return len(set(seen.accounts) - {author_id})


def burst_count(kind: str, subject_id: str) -> int:
    """This subject's reviews arriving in the current hour, this one counted (raised here,
    outside the review's transaction: a write that then fails leaves it one too high, which
    only makes a burst a review sooner)."""
    now = clock.now()
    counter = BurstCount(f"BURST#{kind}#{subject_id}#{domain.hour_bucket(now)}", "COUNT")
    keep_until = int((now + timedelta(days=2)).timestamp())
    counter.update(actions=[BurstCount.count.add(1), BurstCount.expires.set(keep_until)])
    return int(counter.count)


def _score_attribute(score: int):
    return getattr(Rating, f"s{score}")


def _rating_update(write, kind: str, subject_id: str, delta: dict[int, int]) -> None:
    """In ``write``: ADD ``delta`` ({score: +-1}) to the subject's counters."""
    if not delta:
        return
    actions = [_score_attribute(s).add(d) for s, d in sorted(delta.items())]
    write.update(Rating(*Rating.key(kind, subject_id)), actions=[*actions, Rating.changes.add(1)])


def _set_or_remove(attribute, value):
    return attribute.remove() if value is None else attribute.set(value)


def rating_of(kind: str, subject_id: str) -> tuple[domain.Rating, int]:
    """The subject's stars and how many changes made them (0 when never reviewed)."""
    try:
        item = Rating.get(*Rating.key(kind, subject_id), consistent_read=True)
    except DoesNotExist:
        return domain.Rating(), 0
    return item.value(), int(item.changes)


def rating_event(kind: str, subject_id: str) -> DomainEvent:
    """RatingChanged with the subject's stars as they are now."""
    rating, changes = rating_of(kind, subject_id)
    return DomainEvent.of(
        "RatingChanged",
        {"subject": kind, "subjectId": subject_id, "sequence": max(changes, 1), **rating.as_dict()},
    )


def review_events(review: Review) -> list[DomainEvent]:
    """ReviewPublished or ReviewHeld for ``review`` as it stands; none for a rejected or
    deleted one (nobody else is to hear of it)."""
    if review.status not in (domain.PUBLISHED, domain.HELD):
        return []
    data = {
        "reviewId": review.review_id,
        "kind": review.kind,
        "subjectId": review.subject_id,
        "orderId": review.order_id,
        "productId": review.product_id,
        "sellerId": review.seller_id,
        "authorId": review.author_id,
        "rating": int(review.score),
        "status": review.status,
        "imported": review.source == "IMPORT",
    }
    if review.status == domain.HELD:
        return [DomainEvent.of("ReviewHeld", {**data, "reasons": review.reasons})]
    return [DomainEvent.of("ReviewPublished", data)]


def create(
    order_id: str,
    target: Target,
    author_id: str,
    words: dict,
    review_id: str,
    created_at=None,
    source: str = "BUYER",
    source_id: str | None = None,
) -> tuple[Review, bool]:
    """Write one review of ``target`` through moderation. ``words``: ``{rating, title, text,
    photos}``. Returns (the review, True if written now; False when ``review_id`` was written
    before: a retried request). Raises Conflict ALREADY_REVIEWED when the target has another
    review. Publishes nothing (the caller does, once per request)."""
    at = created_at or clock.now()
    title, text = words.get("title") or "", words.get("text") or ""
    fingerprint = domain.fingerprint(title, text)
    imported = source == "IMPORT"
    signals = domain.Signals(
        other_authors(fingerprint, author_id),
        0 if imported else burst_count(target.kind, target.subject_id),
    )
    verdict = domain.moderate(
        title, text, signals, domain.Thresholds(settings.SETTINGS.review_burst_per_hour)
    )
    # An imported review was counted by the marketplace it comes from: moderation holds its
    # words for staff but does not re-judge, years later, who wrote it (staff may).
    counted = verdict.counted or imported
    now, created = clock.iso(), clock.iso(at)
    claim_sk = target.claim if source == "BUYER" else f"IMPORT#{source_id}#{target.claim}"
    review = Review(
        *Review.key(review_id),
        review_id=review_id,
        kind=target.kind,
        subject_id=target.subject_id,
        order_id=order_id,
        line_id=target.line_id,
        product_id=target.product_id,
        offer_id=target.offer_id,
        seller_id=target.seller_id,
        author_id=author_id,
        score=int(words["rating"]),
        title=title,
        text=text,
        photos=list(words.get("photos") or []),
        status=verdict.status,
        reasons=verdict.reasons,
        counted=counted,
        claim_sk=claim_sk,
        source=source,
        source_id=source_id,
        fingerprint=fingerprint,
        created_at=created,
        updated_at=now,
    )
    for name, value in review.index_keys().items():
        setattr(review, name, value)
    claim = Claim(f"ORDER#{order_id}", claim_sk, review_id=review_id, author_id=author_id)
    try:
        with transaction() as write:
            write.save(claim, condition=Claim.pk.does_not_exist())
            write.save(review, condition=Review.pk.does_not_exist())
            _rating_update(
                write,
                target.kind,
                target.subject_id,
                domain.rating_delta(None, (review.score, review.counted)),
            )
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if 1 in failed:  # the same review id: a retry that raced its first attempt
            return Review.get(*Review.key(review_id), consistent_read=True), False
        if 0 in failed:
            raise Conflict(
                "This was reviewed already: edit that review instead.",
                code="ALREADY_REVIEWED",
                reviewId=Claim.get(f"ORDER#{order_id}", claim_sk).review_id,
            ) from exc
        raise
    return review, True


def submit(caller_id: str, order_id: str, body: dict, review_id: str) -> Review:
    """A buyer's review of a line (``lineId``) or a package's seller (``sellerId``) of a
    delivered order of theirs; see ``check_verified``, ``pick``, ``create`` for refusals,
    ``check_photos`` for photos'."""
    order = order_of(order_id)
    check_verified(order, caller_id)
    target = pick(order, body.get("lineId"), body.get("sellerId"))
    check_photos(caller_id, body.get("photos") or [])
    review, written = create(order_id, target, caller_id, body, review_id)
    if written:
        events = review_events(review)
        if review.counted:
            events.append(rating_event(review.kind, review.subject_id))
        publish(events)
    return review


# ------------------------------------------------------------------ reading


def get(review_id: str) -> Review:
    """Raises NotFound REVIEW_NOT_FOUND (deleted ones too)."""
    review = get_or_404(
        Review, *Review.key(review_id), code="REVIEW_NOT_FOUND", detail="No such review."
    )
    if review.status == domain.DELETED:
        raise NotFound("No such review.", code="REVIEW_NOT_FOUND")
    return review


def is_staff(caller: Principal | None) -> bool:
    return caller is not None and caller.has_any("staff", "admin")


def published(review_id: str) -> Review:
    """The review, if it is public. Raises NotFound REVIEW_NOT_FOUND otherwise (its author and
    staff read a held one through the order's reviews and the queue)."""
    review = get(review_id)
    if review.status != domain.PUBLISHED:
        raise NotFound("No such review.", code="REVIEW_NOT_FOUND")
    return review


def photo_links(review: Review) -> list[str]:
    """Links to the review's photos, valid ``PHOTO_LINK_SECONDS``."""
    bucket = settings.SETTINGS.review_photos_bucket
    if not review.photos or not bucket:
        return []
    return [
        signing_s3().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=PHOTO_LINK_SECONDS
        )
        for key in review.photos
    ]


def view(review: Review, caller: Principal | None, for_staff: bool = False) -> dict:
    """The API's shape of a review. Its author and staff (``caller``, or ``for_staff``) also
    see why it was held and what it was before edits; nobody sees who wrote it but they."""
    own = caller is not None and caller.id == review.author_id
    inside = own or for_staff or is_staff(caller)
    return {
        "reviewId": review.review_id,
        "kind": review.kind,
        "productId": review.product_id,
        "sellerId": review.seller_id,
        "orderId": review.order_id if inside else None,
        "rating": int(review.score),
        "title": review.title,
        "text": review.text,
        "photos": photo_links(review),
        "status": review.status,
        "reasons": review.reasons if inside else [],
        "verifiedPurchase": True,
        "imported": review.source == "IMPORT",
        "mine": own,
        "helpful": int(review.helpful),
        "unhelpful": int(review.unhelpful),
        "reply": review.reply,
        "edited": bool(review.history),
        "history": review.history if inside else [],
        "createdAt": review.created_at,
        "updatedAt": review.updated_at,
    }


def _sorted(reviews: list[Review], sort: str) -> list[Review]:
    now = clock.now()
    recent = sorted(reviews, key=lambda r: (r.created_at, r.review_id), reverse=True)
    if sort == "recent":
        return recent
    if sort == "rating_desc":
        return sorted(recent, key=lambda r: -int(r.score))
    if sort == "rating_asc":
        return sorted(recent, key=lambda r: int(r.score))

    def rank(review: Review) -> float:
        age = (now - clock.parse(review.created_at)).total_seconds() / 86400
        return domain.helpfulness_rank(int(review.helpful), int(review.unhelpful), age)

    return sorted(recent, key=rank, reverse=True)  # stable: recency breaks ties


def _cursor(offset: int, signature: str) -> str:
    raw = json.dumps({"o": offset, "s": signature}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _offset(cursor: str | None, signature: str) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if data["s"] != signature or not isinstance(data["o"], int) or data["o"] < 0:
            raise ValueError
        return data["o"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc


def listed(
    kind: str,
    subject_id: str,
    sort: str,
    stars: int | None,
    with_photos: bool,
    limit: int,
    cursor: str | None,
) -> dict:
    """A page of the subject's published reviews ``{items, rating, total, nextCursor}``,
    sorted by ``sort`` (``helpful``: ``domain.helpfulness_rank``, then newest; ``recent``;
    ``rating_desc``; ``rating_asc``), only
    those of ``stars`` and with photos when asked. Raises BadRequest INVALID_CURSOR."""
    signature = f"{kind}|{subject_id}|{sort}|{stars}|{with_photos}"
    offset = _offset(cursor, signature)
    found = list(
        Review.by_subject.query(f"{kind}#{subject_id}", scan_index_forward=False, limit=MAX_LISTED)
    )
    chosen = [
        r
        for r in found
        if (stars is None or int(r.score) == stars) and (not with_photos or r.photos)
    ]
    ordered = _sorted(chosen, sort)
    page = ordered[offset : offset + limit]
    end = offset + len(page)
    rating, _ = rating_of(kind, subject_id)
    return {
        "items": [view(r, None) for r in page],
        "rating": rating.as_dict(),
        "total": len(ordered),
        "nextCursor": _cursor(end, signature) if end < len(ordered) else None,
    }


def held_queue(limit: int, cursor: str | None) -> dict:
    """Staff's queue: held reviews, oldest first, with why."""
    signature = "QUEUE#HELD"
    offset = _offset(cursor, signature)
    found = list(Review.by_queue.query("QUEUE#HELD", limit=offset + limit + 1))
    page = found[offset : offset + limit]
    end = offset + len(page)
    return {
        "items": [view(r, None, for_staff=True) for r in page],
        "nextCursor": _cursor(end, signature) if len(found) > end else None,
    }


# ------------------------------------------------------------------ changing a review


def _write_change(review: Review, changes: dict, counted: bool, extra=None) -> Review:
    """Apply ``changes`` ({attribute name: value}) to ``review`` and its rating in one
    transaction, on the condition that nobody changed the review since it was read; raises
    Conflict REVIEW_CHANGED when somebody did (the caller reads again)."""
    before = (int(review.score), bool(review.counted))
    after_score = int(changes.get("score", review.score))
    now = clock.iso()
    updated = {
        **changes,
        "counted": counted,
        "updated_at": now,
        "revision": int(review.revision) + 1,
    }
    updated.update(review.index_keys(changes.get("status")))
    actions = [_set_or_remove(getattr(Review, name), value) for name, value in updated.items()]
    try:
        with transaction() as write:
            if extra:
                extra(write)
            write.update(review, actions=actions, condition=Review.revision == review.revision)
            _rating_update(
                write,
                review.kind,
                review.subject_id,
                domain.rating_delta(before, (after_score, counted)),
            )
    except TransactWriteError as exc:
        if failed_conditions(exc):
            raise Conflict(
                "The review changed meanwhile; read it again.", code="REVIEW_CHANGED"
            ) from exc
        raise
    return get_or_404(Review, *Review.key(review.review_id), code="REVIEW_NOT_FOUND", detail="")


def _retrying(review_id: str, change) -> tuple[Review, Review]:
    """``change(review)`` on a fresh read, again when another writer got there first:
    (the review as last read, as ``change`` left it)."""
    for attempt in range(ATTEMPTS):
        review = get(review_id)
        try:
            return review, change(review)
        except Conflict as conflict:
            if conflict.code != "REVIEW_CHANGED" or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def edit(caller: Principal, review_id: str, body: dict) -> Review:
    """The author changes stars, title, text or photos within ``review_edit_days`` (409
    EDIT_WINDOW_CLOSED; 403 NOT_YOUR_REVIEW for anyone else; 409 REVIEW_REJECTED once
    staff judged it not genuine). The words are moderated again; the previous version joins
    the review's history."""

    def change(review: Review) -> Review:
        if review.author_id != caller.id:
            raise Forbidden("Only its author may edit a review.", code="NOT_YOUR_REVIEW")
        if "NOT_GENUINE" in [r["code"] for r in review.reasons]:
            raise Conflict("Staff rejected this review.", code="REVIEW_REJECTED")
        closes = clock.parse(review.created_at) + timedelta(days=settings.SETTINGS.review_edit_days)
        if review.source == "IMPORT" or clock.now() > closes:
            raise Conflict("This review can no longer be edited.", code="EDIT_WINDOW_CLOSED")
        if "photos" in body and body["photos"] is not None:
            fresh = [p for p in body["photos"] if p not in review.photos]
            check_photos(caller.id, fresh)
        new = {
            "score": int(body["rating"]) if body.get("rating") is not None else int(review.score),
            "title": body["title"] if body.get("title") is not None else review.title,
            "text": body["text"] if body.get("text") is not None else review.text,
            "photos": body["photos"] if body.get("photos") is not None else list(review.photos),
        }
        old = {
            "rating": int(review.score),
            "title": review.title,
            "text": review.text,
            "photos": list(review.photos),
            "at": review.updated_at,
        }
        fingerprint = domain.fingerprint(new["title"], new["text"])
        same = other_authors(fingerprint, caller.id)
        verdict = domain.moderate(new["title"], new["text"], domain.Signals(same, 0))
        carried = [
            r
            for r in review.reasons
            if review.status == domain.HELD and r["code"] in (domain.BURST, domain.REPORTED)
        ]
        reasons = verdict.reasons + carried
        if verdict.status == domain.REJECTED:
            status = domain.REJECTED
        else:
            status = domain.HELD if reasons else domain.PUBLISHED
        counted = domain.counts(status, [r["code"] for r in reasons])
        return _write_change(
            review,
            {
                **new,
                "status": status,
                "reasons": reasons,
                "fingerprint": fingerprint,
                "history": [*review.history, old],
            },
            counted,
        )

    before, review = _retrying(review_id, change)
    events = []
    if review.status != before.status or review.status == domain.HELD:
        events.extend(review_events(review))
    if (int(before.score), before.counted) != (int(review.score), review.counted):
        events.append(rating_event(review.kind, review.subject_id))
    publish(events)
    return review


def delete(caller: Principal, review_id: str) -> None:
    """The author (or staff) removes a review: it leaves lists and ratings, and the line or
    package can be reviewed again. 403 NOT_YOUR_REVIEW for anyone else."""

    def change(review: Review) -> Review:
        if review.author_id != caller.id and not is_staff(caller):
            raise Forbidden("Only its author may delete a review.", code="NOT_YOUR_REVIEW")

        def release(write):
            write.delete(Claim(f"ORDER#{review.order_id}", review.claim_sk))

        return _write_change(review, {"status": domain.DELETED}, False, release)

    _, review = _retrying(review_id, change)
    publish([rating_event(review.kind, review.subject_id)])


def decide(
    caller: Principal, review_id: str, outcome: str, reason: str | None, genuine: bool
) -> Review:
    """Staff publish or reject a held review (409 REVIEW_NOT_HELD otherwise). A rejection
    with ``genuine`` False also takes its stars out of the ratings."""

    def change(review: Review) -> Review:
        if review.status != domain.HELD:
            raise Conflict("Only a held review awaits a decision.", code="REVIEW_NOT_HELD")
        if outcome == "PUBLISH":
            return _write_change(review, {"status": domain.PUBLISHED}, True)
        reasons = [*review.reasons, {"code": "REJECTED", "detail": reason or "rejected by staff"}]
        if not genuine:
            reasons.append({"code": "NOT_GENUINE", "detail": "staff judged it not genuine"})
        status = domain.REJECTED
        return _write_change(
            review,
            {"status": status, "reasons": reasons},
            domain.counts(status, [r["code"] for r in reasons]),
        )

    before, review = _retrying(review_id, change)
    events = review_events(review) if review.status == domain.PUBLISHED else []
    if before.counted != review.counted:
        events.append(rating_event(review.kind, review.subject_id))
    publish(events)
    return review


def report(caller: Principal, review_id: str, reason: str, note: str | None) -> Review:
    """A reader reports a published review, once per account (409 ALREADY_REPORTED; 403
    OWN_REVIEW for its author). ``review_report_threshold`` reports take it back to staff."""
    review = published(review_id)
    if review.author_id == caller.id:
        raise Forbidden("You cannot report your own review.", code="OWN_REVIEW")
    try:
        with transaction() as write:
            write.save(
                Report(*Report.key(review_id, caller.id), reason=reason, note=note, at=clock.iso()),
                condition=Report.pk.does_not_exist(),
            )
            write.update(review, actions=[Review.reports.add(1)])
    except TransactWriteError as exc:
        if 0 in failed_conditions(exc):
            raise Conflict("You reported this review already.", code="ALREADY_REPORTED") from exc
        raise
    review = get(review_id)
    if int(review.reports) < settings.SETTINGS.review_report_threshold:
        return review

    def hold(current: Review) -> Review:
        if current.status != domain.PUBLISHED:
            return current
        reasons = [
            *current.reasons,
            {"code": domain.REPORTED, "detail": f"{current.reports} reports"},
        ]
        return _write_change(current, {"status": domain.HELD, "reasons": reasons}, current.counted)

    _, held = _retrying(review_id, hold)
    if held.status == domain.HELD and review.status == domain.PUBLISHED:
        publish(review_events(held))
    return held


def reply(caller: Principal, review_id: str, text: str) -> Review:
    """The reviewed seller answers, once and publicly (403 NOT_YOUR_REVIEW for another seller;
    409 ALREADY_REPLIED). The answer may not carry contact data or profanity (422
    REPLY_NOT_ALLOWED, with what was found)."""
    review = get(review_id)
    if not is_staff(caller) and caller.seller_id != review.seller_id:
        raise Forbidden("Only the reviewed seller may reply.", code="NOT_YOUR_REVIEW")
    findings = domain.moderate("", text, domain.Signals()).reasons
    if findings:
        raise Unprocessable(
            "The reply cannot carry contact details or profanity.",
            code="REPLY_NOT_ALLOWED",
            findings=findings,
        )
    answer = {"text": text, "at": clock.iso(), "by": caller.id}
    try:
        review.update(
            actions=[Review.reply.set(answer), Review.updated_at.set(answer["at"])],
            condition=Review.reply.does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise Conflict("The seller replied already.", code="ALREADY_REPLIED") from exc
        raise
    publish(
        [
            DomainEvent.of(
                "SellerReplied",
                {
                    "reviewId": review.review_id,
                    "sellerId": review.seller_id,
                    "authorId": review.author_id,
                    "productId": review.product_id,
                },
            )
        ]
    )
    return review


def vote(caller: Principal, review_id: str, helpful: bool) -> Review:
    """One helpful (or not) vote per account, changeable, never on one's own review (403
    OWN_REVIEW); only published reviews (404)."""
    for _ in range(ATTEMPTS):
        review = published(review_id)
        if review.author_id == caller.id:
            raise Forbidden("You cannot vote on your own review.", code="OWN_REVIEW")
        try:
            previous = Vote.get(*Vote.key(review_id, caller.id), consistent_read=True)
        except DoesNotExist:
            previous = None
        if previous is not None and previous.helpful == helpful:
            return review
        counter = Review.helpful if helpful else Review.unhelpful
        actions = [counter.add(1)]
        ballot = Vote(*Vote.key(review_id, caller.id), helpful=helpful, at=clock.iso())
        try:
            with transaction() as write:
                if previous is None:
                    write.save(ballot, condition=Vote.pk.does_not_exist())
                else:
                    write.save(ballot, condition=Vote.helpful == previous.helpful)
                    actions.append((Review.unhelpful if helpful else Review.helpful).add(-1))
                write.update(review, actions=actions)
        except TransactWriteError as exc:
            if failed_conditions(exc):
                continue  # another vote of this account landed first: read again
            raise
        return get(review_id)
    raise Conflict("Too many votes at once; try again.", code="REVIEW_CHANGED")


# ------------------------------------------------------------------ photos


def photo_upload(caller_id: str, content_type: str, size: int) -> dict:
    """A presigned POST form for one photo: ``{url, fields, key, expiresIn}``. S3 itself
    refuses another type or a larger file than announced (the form's conditions)."""
    bucket = settings.SETTINGS.needed("review_photos_bucket")
    return upload_form(bucket, caller_id, "pho", content_type, IMAGE_TYPES[content_type], size)


def check_photos(caller_id: str, keys: list[str]) -> None:
    """Each photo must be one the caller uploaded: under ``uploads/<caller>/``, present, an
    image type, at most ``MAX_PHOTO_BYTES``. Raises Unprocessable PHOTO_NOT_FOUND,
    PHOTO_INVALID."""
    if keys:
        bucket = settings.SETTINGS.needed("review_photos_bucket")
        check_uploads(bucket, caller_id, keys, IMAGE_TYPES, MAX_PHOTO_BYTES, "photo")


# ------------------------------------------------------------------ bulk import


def import_rows(rows: list[dict]) -> list[dict]:
    """Past reviews, each of a whole order as Olist collected them (``{sourceId, orderId,
    rating, title, text, createdAt}``), through the same moderation as new ones: one review of
    each line's product and one of each package's seller, by the order's buyer, dated
    ``createdAt``. The buyer-only rules (delivery, window) are not applied: these reviews were
    written under the rules of their time (Olist asked every buyer at the promised date,
    delivered or not). Importing a row again changes nothing. Returns per row ``{sourceId,
    orderId, outcome (PUBLISHED, HELD, REJECTED, ALREADY_IMPORTED, ORDER_NOT_FOUND,
    NOTHING_TO_REVIEW), reviewIds,
    reasons}``; publishes each review's event and one RatingChanged per subject touched."""
    results, events, touched = [], [], {}
    for row in rows:
        outcome = {"sourceId": row["sourceId"], "orderId": row["orderId"], "reviewIds": []}
        try:
            order = order_of(row["orderId"])
        except NotFound:
            results.append({**outcome, "outcome": "ORDER_NOT_FOUND", "reasons": []})
            continue
        at = clock.parse(row["createdAt"])
        written_any, statuses, reasons = False, set(), []
        for target in targets(order, refunded_too=True):
            review_id = derived_id("rev", "import", row["sourceId"], target.claim)
            review, written = create(
                row["orderId"],
                target,
                order["customerId"],
                row,
                review_id,
                created_at=at,
                source="IMPORT",
                source_id=row["sourceId"],
            )
            outcome["reviewIds"].append(review.review_id)
            statuses.add(review.status)
            reasons.extend(r for r in review.reasons if r not in reasons)
            if written:
                written_any = True
                events.extend(review_events(review))
                if review.counted:
                    touched[(review.kind, review.subject_id)] = True
        if not outcome["reviewIds"]:
            label = "NOTHING_TO_REVIEW"
        elif not written_any:
            label = "ALREADY_IMPORTED"
        else:
            label = next(
                s for s in (domain.REJECTED, domain.HELD, domain.PUBLISHED) if s in statuses
            )
        results.append({**outcome, "outcome": label, "reasons": reasons})
    events.extend(rating_event(kind, subject) for kind, subject in touched)
    publish(events)
    return results
