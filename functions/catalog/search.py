"""The catalog's search index: tantivy (a Rust full-text engine, via tantivy-py).

Chosen by measurement over SQLite FTS5 on the real catalog (docs/catalog.md, ``make
bench-search``). One document per active product with its offers, so the same index answers
``GET /search`` (text + facets) and ``GET /products`` (browse: filters, sort, paging).

Text matching: title, English and Portuguese category names and the department, split on
non-alphanumerics, lower-cased and ASCII-folded, so ``perfumária``, ``perfumaria`` and
``perfume`` (each query word is a prefix) all find perfumery.

A document is built from the catalog's own items (``IndexedProduct``), never from event
payloads, so applying the same change twice or out of order gives the same document.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tantivy

from catalog import domain
from titan import clock

#: Price facet buckets in centavos: [from, to) - None is open-ended.
PRICE_RANGES: tuple[tuple[int | None, int | None], ...] = (
    (None, 5_000),
    (5_000, 10_000),
    (10_000, 20_000),
    (20_000, 50_000),
    (50_000, None),
)
MAX_RESULT_WINDOW = 10_000  # deepest offset a cursor reaches, as Elasticsearch's default
Sort = Literal["relevance", "price_asc", "price_desc", "newest", "rating_desc"]
#: Names the fields below; change it with them (a new tag starts a new index from the table).
SCHEMA_TAG = "2-ratings"
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accents removed: ``"Perfumária"`` -> ``"perfumaria"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The searchable words of ``text`` (folded, alphanumeric runs), in order."""
    return _WORD.findall(fold(text))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name="folded")
    builder.add_text_field("category", tokenizer_name="raw", fast=True)
    builder.add_text_field("seller", tokenizer_name="raw")
    builder.add_text_field("state", tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("active", indexed=True)
    builder.add_unsigned_field("available", indexed=True, fast=True)
    builder.add_unsigned_field("price", indexed=True, fast=True)
    builder.add_unsigned_field("created", indexed=True, fast=True)
    builder.add_unsigned_field("rating", indexed=True, fast=True)  # centi-stars; 0: none
    builder.add_bytes_field("source", stored=True)  # the IndexedProduct, as JSON
    return builder.build()


SCHEMA = _schema()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def open_index(path: Path) -> tantivy.Index:
    """Open (or create, when ``path`` is empty) the index at ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(SCHEMA, path=str(path))
    index.register_tokenizer("folded", _analyzer())
    return index


@dataclass
class IndexedOffer:
    offer_id: str
    seller_id: str
    price: int  # centavos
    freight: int  # centavos
    seller_state: str | None = None


@dataclass
class IndexedProduct:
    """What the index keeps of a product: its fields and its active offers by slot (the
    seller id, with the SKU id for a listing's variant: ``Offer.slot``).
    Inactive products stay indexed (keeping their offers) but are never returned."""

    product_id: str
    title: str
    category: str
    created_at: str
    status: str = "ACTIVE"
    offers: dict[str, IndexedOffer] = field(default_factory=dict)
    rating: float | None = None  # mean stars of its reviews
    rating_count: int = 0

    @property
    def best_offer(self) -> IndexedOffer | None:
        """The cheapest offer (price + freight, then seller id for a stable choice)."""
        if not self.offers:
            return None
        return min(self.offers.values(), key=lambda o: (o.price + o.freight, o.seller_id))

    def to_json(self) -> bytes:
        data = {
            "product_id": self.product_id,
            "title": self.title,
            "category": self.category,
            "created_at": self.created_at,
            "status": self.status,
            "offers": {k: vars(v) for k, v in sorted(self.offers.items())},
            "rating": self.rating,
            "rating_count": self.rating_count,
        }
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> IndexedProduct:
        data = json.loads(raw)
        offers = {k: IndexedOffer(**v) for k, v in data.pop("offers").items()}
        return cls(**data, offers=offers)


def document(
    product: IndexedProduct, tree: domain.CategoryTree = domain.BUILT_IN
) -> tantivy.Document:
    """The tantivy document for one product; category names come from ``tree``."""
    category = tree.get(product.category)
    text = " ".join(
        [
            product.title,
            category.name,
            (category.source_name or "").replace("_", " "),
            domain.DEPARTMENTS.get(category.department, ""),
        ]
    )
    doc = tantivy.Document()
    doc.add_text("product_id", product.product_id)
    doc.add_text("text", text)
    doc.add_text("category", category.slug)
    doc.add_unsigned("active", 1 if product.status == "ACTIVE" else 0)
    best = product.best_offer
    doc.add_unsigned("available", 1 if best else 0)
    if best:
        doc.add_unsigned("price", best.price)
    for offer in product.offers.values():
        doc.add_text("seller", offer.seller_id)
        if offer.seller_state:
            doc.add_text("state", offer.seller_state)
    doc.add_unsigned("created", int(clock.parse(product.created_at).timestamp()))
    doc.add_unsigned("rating", round((product.rating or 0) * 100))
    doc.add_bytes("source", product.to_json())
    return doc


def stored(searcher: tantivy.Searcher, product_id: str) -> IndexedProduct | None:
    """The indexed product with this id, or None."""
    query = tantivy.Query.term_query(SCHEMA, "product_id", product_id)
    hits = searcher.search(query, 1, count=False).hits
    if not hits:
        return None
    return IndexedProduct.from_json(searcher.doc(hits[0][1])["source"][0])


# --- queries --------------------------------------------------------------------------------
class InvalidCursor(ValueError):
    """A cursor this index did not issue, or one past the result window."""


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for (0 without one). Raises InvalidCursor."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["o"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc
    if type(offset) is not int or not 0 <= offset < MAX_RESULT_WINDOW:  # bool is an int too
        raise InvalidCursor("cursor is not one this API issued")
    return offset


@dataclass(frozen=True)
class Criteria:
    """A search or browse request. Prices in centavos, inclusive; ``q`` None browses."""

    q: str | None = None
    category: str | None = None
    department: str | None = None
    seller_id: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    min_rating: float | None = None  # mean stars, inclusive
    include_unavailable: bool = False
    sort: Sort = "relevance"
    limit: int = 20
    offset: int = 0


@dataclass
class Page:
    products: list[IndexedProduct]
    total: int
    next_offset: int | None
    facets: dict[str, Any] = field(default_factory=dict)


def _filters(criteria: Criteria, tree: domain.CategoryTree) -> list[tantivy.Query]:
    musts = [tantivy.Query.term_query(SCHEMA, "active", 1)]
    if criteria.q is not None:
        for word in words(criteria.q)[:10]:  # each word a prefix: "perfum" finds "perfumery"
            musts.append(tantivy.Query.regex_query(SCHEMA, "text", f"{re.escape(word)}.*"))
    if criteria.category:
        musts.append(tantivy.Query.term_query(SCHEMA, "category", criteria.category))
    if criteria.department:
        in_department = [
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "category", slug))
            for slug in tree.in_department(criteria.department)
        ]
        musts.append(tantivy.Query.boolean_query(in_department))
    if criteria.seller_id:
        musts.append(tantivy.Query.term_query(SCHEMA, "seller", criteria.seller_id))
    if not criteria.include_unavailable or criteria.min_price or criteria.max_price:
        musts.append(tantivy.Query.term_query(SCHEMA, "available", 1))
    if criteria.min_price is not None or criteria.max_price is not None:
        low = criteria.min_price or 0
        high = criteria.max_price if criteria.max_price is not None else 2**63 - 1
        musts.append(
            tantivy.Query.range_query(SCHEMA, "price", tantivy.FieldType.Unsigned, low, high)
        )
    if criteria.min_rating is not None:
        low = round(criteria.min_rating * 100)
        musts.append(
            tantivy.Query.range_query(SCHEMA, "rating", tantivy.FieldType.Unsigned, low, 500)
        )
    return musts


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, Any]:
    ranges = [
        {k: v for k, v in (("from", low), ("to", high)) if v is not None}
        for low, high in PRICE_RANGES
    ]
    result = searcher.aggregate(
        query,
        {
            "category": {"terms": {"field": "category", "size": 100}},
            "sellerState": {"terms": {"field": "state", "size": 30}},
            "price": {"range": {"field": "price", "ranges": ranges}},
        },
    )
    price_counts = {
        (bucket.get("from"), bucket.get("to")): bucket["doc_count"]
        for bucket in result["price"]["buckets"]
    }
    return {
        "category": [(b["key"], b["doc_count"]) for b in result["category"]["buckets"]],
        "sellerState": [(b["key"], b["doc_count"]) for b in result["sellerState"]["buckets"]],
        "price": [
            (low, high, price_counts.get((_f(low), _f(high)), 0)) for low, high in PRICE_RANGES
        ],
    }


def _f(value: int | None) -> float | None:
    return None if value is None else float(value)


def run(
    index: tantivy.Index,
    criteria: Criteria,
    facets: bool = False,
    tree: domain.CategoryTree = domain.BUILT_IN,
) -> Page:
    """One page of products matching ``criteria``; with ``facets``, counts per category,
    seller state and price range over all matches. ``tree`` resolves departments."""
    searcher = index.searcher()
    musts = _filters(criteria, tree)
    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in musts])
    order = {
        "price_asc": ("price", tantivy.Order.Asc),
        "price_desc": ("price", tantivy.Order.Desc),
        "newest": ("created", tantivy.Order.Desc),
        "rating_desc": ("rating", tantivy.Order.Desc),
    }.get(criteria.sort)
    limit = max(1, min(criteria.limit, MAX_RESULT_WINDOW - criteria.offset))
    if order:
        result = searcher.search(
            query,
            limit,
            count=True,
            order_by_field=order[0],
            offset=criteria.offset,
            order=order[1],
        )
    else:
        result = searcher.search(query, limit, count=True, offset=criteria.offset)
    products = [
        IndexedProduct.from_json(searcher.doc(address)["source"][0]) for _, address in result.hits
    ]
    end = criteria.offset + len(products)
    next_offset = end if end < min(result.count, MAX_RESULT_WINDOW) and products else None
    return Page(
        products=products,
        total=result.count,
        next_offset=next_offset,
        facets=_facets(searcher, query) if facets else {},
    )
