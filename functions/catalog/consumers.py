"""The search indexer: catalog events (EventBridge -> SQS) -> the tantivy index; and the
reviews context's RatingChanged -> the catalog's copy of each product's and seller's stars
(kept when newer by its ``sequence``), which product, offer and seller reads show and search
sorts and filters by.

A batch of up to 2,500 messages (BatchSize in catalog/template.yaml) names the products and offers
that changed. Their current state is read from the catalog table (never taken from the event
payload), so duplicates, retries and out-of-order delivery all converge on the same index.
The batch is applied to the newest index version and published as the next one
(``index_files``); a message that cannot be parsed is reported as a batch item failure and,
after the queue's retries, lands in the dead-letter queue without holding back the rest.

SellerVacationChanged re-reads every offer of that seller: a shop on vacation has none in
search until it is back.

SearchReindexRequested (``POST /admin/search/reindex``) rebuilds the whole index from one scan
of the table: after messages went to the dead-letter queue, or to refresh renamed categories.
The first batch an index schema sees (``search.SCHEMA_TAG``, no version published yet) also
rebuilds: a new schema starts from the whole table, not from one batch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import tantivy
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pynamodb.exceptions import PutError

from catalog import categories, search
from catalog.index_files import LocalIndex, StaleIndex
from catalog.store import Offer, Product, Rating, Seller
from contracts.catalog import (
    OfferCreated,
    OfferDeleted,
    OfferKeys,
    OfferPriceChanged,
    OfferUpdated,
    ProductCreated,
    ProductDeleted,
    ProductUpdated,
    SearchReindexRequested,
    SellerVacationChanged,
)
from contracts.reviews import RatingChanged
from titan.consumers import Received, receive
from titan.dynamo import condition_failed
from titan.observability import logger, observed

PUBLISH_ATTEMPTS = 5
WRITER_HEAP_BYTES = 50_000_000
INDEXED = (
    ProductCreated,
    ProductUpdated,
    ProductDeleted,
    OfferCreated,
    OfferUpdated,
    OfferPriceChanged,
    OfferDeleted,
    SearchReindexRequested,
    RatingChanged,
    SellerVacationChanged,
)


@dataclass
class Changes:
    """What a batch touched: product ids, and (product id, slot) offer keys (``Offer.slot``:
    the seller id, with the SKU id for a listing's variant)."""

    products: set[str] = field(default_factory=set)
    offers: set[tuple[str, str]] = field(default_factory=set)
    #: products whose offers must be read whole if the index does not know them yet
    #: (anything but a fresh ProductCreated, which has no offers)
    unknown_offers: set[str] = field(default_factory=set)
    #: rebuild the whole index from the table (SearchReindexRequested)
    rebuild: bool = False
    #: the newest stars reported per (PRODUCT or SELLER, id)
    ratings: dict[tuple[str, str], RatingChanged] = field(default_factory=dict)
    #: sellers whose shop went on or came back from vacation: all their offers are read
    sellers: set[str] = field(default_factory=set)

    def add(self, received: Received) -> None:
        event = received.event
        if isinstance(event, SearchReindexRequested):
            self.rebuild = True
            return
        if isinstance(event, SellerVacationChanged):
            self.sellers.add(event.sellerId)
            return
        if isinstance(event, RatingChanged):
            key = (event.subject, event.subjectId)
            if key not in self.ratings or self.ratings[key].sequence < event.sequence:
                self.ratings[key] = event
            if event.subject == "PRODUCT":
                self.products.add(event.subjectId)
                self.unknown_offers.add(event.subjectId)
            return
        self.products.add(event.productId)
        if isinstance(event, OfferKeys):
            self.offers.add((event.productId, Offer.slot_of(event.sellerId, event.skuId)))
        if not isinstance(event, ProductCreated):
            self.unknown_offers.add(event.productId)


def parse(body: str) -> Received:
    """An EventBridge event delivered through SQS, parsed into its contract. Raises
    ValueError (UnexpectedEvent, JSONDecodeError) for anything else."""
    return receive(json.loads(body), INDEXED)


_seller_states: dict[str, str] = {}


def _states(seller_ids: set[str]) -> dict[str, str]:
    missing = [Seller.key(s) for s in seller_ids if s not in _seller_states]
    for seller in Seller.batch_get(missing) if missing else []:
        _seller_states[seller.seller_id] = seller.state
    return _seller_states


def _away(seller_ids: set[str]) -> set[str]:
    """Those of ``seller_ids`` whose shop is on vacation now (read fresh: it changes)."""
    keys = [Seller.key(s) for s in seller_ids]
    return {s.seller_id for s in Seller.batch_get(keys) if s.on_vacation} if keys else set()


def _on_sale(offer: Offer | None, away: set[str]) -> bool:
    return offer is not None and offer.status == "ACTIVE" and offer.seller_id not in away


def _indexed_offer(offer: Offer, states: dict[str, str]) -> search.IndexedOffer:
    return search.IndexedOffer(
        offer_id=offer.offer_id,
        seller_id=offer.seller_id,
        price=int(offer.price),
        freight=int(offer.freight),
        seller_state=states.get(offer.seller_id),
    )


def _indexed_product(
    item: Product,
    offers: dict[str, search.IndexedOffer] | None = None,
    rating: Rating | None = None,
) -> search.IndexedProduct:
    return search.IndexedProduct(
        product_id=item.product_id,
        title=item.title,
        category=item.category,
        created_at=item.created_at,
        status=item.status,
        offers=offers or {},
        rating=float(rating.average) if rating and rating.average is not None else None,
        rating_count=int(rating.count) if rating else 0,
    )


def record_ratings(changes: Changes) -> int:
    """Keep each reported rating unless a newer one (higher ``sequence``) is kept already.
    Returns how many were kept."""
    kept = 0
    for (subject, subject_id), event in changes.ratings.items():
        item = Rating(
            *Rating.key(subject, subject_id),
            average=event.average,
            count=event.count,
            distribution=dict(event.distribution),
            sequence=event.sequence,
        )
        try:
            item.save(
                condition=Rating.sequence.does_not_exist() | (Rating.sequence < event.sequence)
            )
            kept += 1
        except PutError as exc:
            if not condition_failed(exc):
                raise
    return kept


def _everything() -> list[search.IndexedProduct]:
    """Every product with its active offers, read from the table (one scan)."""
    products: dict[str, search.IndexedProduct] = {}
    offers: list[Offer] = []
    ratings = {
        r.pk.removeprefix("PRODUCT#"): r
        for r in Rating.scan(Rating.pk.startswith("PRODUCT#") & (Rating.sk == "RATING"))
    }
    for item in Product.scan(Product.pk.startswith("PRODUCT#")):
        if item.sk == "PRODUCT":
            products[item.product_id] = _indexed_product(item, rating=ratings.get(item.product_id))
    for offer in Offer.scan(Offer.pk.startswith("PRODUCT#") & Offer.sk.startswith("OFFER#")):
        if offer.status == "ACTIVE" and offer.product_id in products:
            offers.append(offer)
    away = _away({o.seller_id for o in offers})
    offers = [o for o in offers if o.seller_id not in away]
    states = _states({o.seller_id for o in offers})
    for offer in offers:
        products[offer.product_id].offers[offer.slot] = _indexed_offer(offer, states)
    return list(products.values())


def _publish(
    local: LocalIndex, fill: Callable[[tantivy.Searcher, tantivy.IndexWriter], None]
) -> int:
    """Apply ``fill`` to the newest index and publish it as the next version; if another
    writer published first, start again from its version. Returns the new version. Raises
    StaleIndex after ``PUBLISH_ATTEMPTS`` lost races in a row."""
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        index = local.latest()
        writer = index.writer(WRITER_HEAP_BYTES, 1)
        fill(index.searcher(), writer)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        try:
            return local.publish(documents=index.searcher().num_docs)
        except StaleIndex:
            logger.info("index moved on meanwhile; applying again", extra={"attempt": attempt})
    raise StaleIndex(f"gave up after {PUBLISH_ATTEMPTS} attempts")


def rebuild(local: LocalIndex) -> int:
    """Replace the whole index with one built from the table. Returns the new version."""
    everything = _everything()
    tree = categories.tree()

    def fill(_searcher: tantivy.Searcher, writer: tantivy.IndexWriter) -> None:
        writer.delete_all_documents()
        for product in everything:
            writer.add_document(search.document(product, tree))

    return _publish(local, fill)


def apply(changes: Changes, local: LocalIndex) -> int:
    """Apply ``changes`` to the newest index and publish it. Returns the new version.
    Raises StaleIndex if ``PUBLISH_ATTEMPTS`` writers in a row got there first."""
    local.latest()
    if changes.rebuild or local.version == 0:  # reads everything, these changes included
        return rebuild(local)
    for seller_id in changes.sellers:
        for offer in Offer.by_gsi1.query(f"SELLER#{seller_id}", Offer.gsi1sk.startswith("OFFER#")):
            changes.products.add(offer.product_id)
            changes.unknown_offers.add(offer.product_id)
            changes.offers.add((offer.product_id, offer.slot))
    products = {
        p.product_id: p for p in Product.batch_get([Product.key(p) for p in changes.products])
    }
    ratings = {
        r.pk.removeprefix("PRODUCT#"): r
        for r in Rating.batch_get([Rating.key("PRODUCT", p) for p in changes.products])
    }
    offer_keys = [(f"PRODUCT#{p}", f"OFFER#{slot}") for p, slot in changes.offers]
    offers = {(o.product_id, o.slot): o for o in Offer.batch_get(offer_keys)}
    states = _states({slot.split("#")[0] for _, slot in changes.offers})
    away = _away({slot.split("#")[0] for _, slot in changes.offers})
    tree = categories.tree()
    touched_offers = defaultdict(list)
    for product_id, slot in changes.offers:
        touched_offers[product_id].append(slot)

    def fill(searcher: tantivy.Searcher, writer: tantivy.IndexWriter) -> None:
        for product_id in changes.products:
            writer.delete_documents_by_term("product_id", product_id)
            item = products.get(product_id)
            if item is None:  # deleted: its offers went with it
                continue
            previous = search.stored(searcher, product_id)
            current = _indexed_product(
                item, dict(previous.offers) if previous else {}, ratings.get(product_id)
            )
            if previous is None and product_id in changes.unknown_offers:
                listed = Offer.of_product(product_id)
                away.update(_away({o.seller_id for o in listed}))
                live = [o for o in listed if _on_sale(o, away)]
                _states({o.seller_id for o in live})  # the same cache ``states`` reads
                current.offers = {o.slot: _indexed_offer(o, states) for o in live}
            for slot in touched_offers.get(product_id, ()):
                offer = offers.get((product_id, slot))
                if not _on_sale(offer, away):
                    current.offers.pop(slot, None)
                else:
                    current.offers[slot] = _indexed_offer(offer, states)
            writer.add_document(search.document(current, tree))

    return _publish(local, fill)


processor = BatchProcessor(event_type=EventType.SQS)
_local: LocalIndex | None = None


@observed
def index_handler(event: dict, _context) -> dict:
    """SQS batch -> one new index version. Unparseable messages are reported as batch item
    failures; a failure to apply the batch raises, so the whole batch is retried."""
    global _local
    _local = _local or LocalIndex()
    changes = Changes()

    def record(record: SQSRecord) -> None:
        changes.add(parse(record.body))

    with processor(records=event["Records"], handler=record):
        processor.process()
    if changes.ratings:
        logger.info("ratings kept", extra={"kept": record_ratings(changes)})
    if changes.products or changes.rebuild or changes.sellers:
        version = apply(changes, _local)
        logger.info(
            "index published",
            extra={
                "version": version,
                "products": len(changes.products),
                "offers": len(changes.offers),
            },
        )
    return processor.response()
