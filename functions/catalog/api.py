"""Catalog routes.

Public: ``GET /categories`` (the tree with product counts), ``GET /products/{productId}``
(with its offers), ``GET /sellers/{sellerId}`` (with its offer count).
``GET /offers/{offerId}`` (with its price history).
Staff and admins: ``POST /admin/catalog/imports`` (a presigned upload URL for one CSV) and
``GET /admin/catalog/imports/{importId}`` (the import report); with the owning seller,
``PATCH /offers/{offerId} {price, freight}``.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from botocore.config import Config
from pydantic import BaseModel, ConfigDict, Field
from pynamodb.exceptions import TransactWriteError

from catalog import domain
from catalog.store import CategoryCount, Import, Offer, PriceChange, Product, Seller
from titan import clock
from titan.api import create_app, lambda_handler
from titan.auth import require
from titan.dynamo import transaction
from titan.errors import Conflict, NotFound
from titan.events import DomainEvent, EventPublisher
from titan.ids import new_id
from titan.money import Money

app = create_app()
UPLOAD_SECONDS = 900
SourceId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class MoneyOut(BaseModel):
    amount: int = Field(description="Minor units (centavos for BRL)")
    currency: str


def _money(amount) -> MoneyOut:
    return MoneyOut(**Money(int(amount), domain.CURRENCY).to_dict())


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["sellers", "products", "offers"] = Field(
        description="What the CSV holds; import sellers and products before offers"
    )


class Upload(BaseModel):
    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expiresIn: int = Field(description="Seconds the URL stays valid")


class ImportCreated(BaseModel):
    importId: str
    kind: str
    status: str
    upload: Upload


class Counts(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int


class RowProblem(BaseModel):
    row: int = Field(description="Data row number; 1 is the line after the header")
    reason: str
    key: str | None = None


class ImportReport(BaseModel):
    importId: str
    kind: str
    status: Literal["AWAITING_UPLOAD", "RUNNING", "COMPLETED", "FAILED"]
    counts: Counts
    errors: list[RowProblem] = Field(description="The first 200 skipped rows with reasons")
    failure: str | None = None
    createdAt: str
    startedAt: str | None = None
    completedAt: str | None = None


class CategoryNode(BaseModel):
    id: str
    name: str
    productCount: int


class Department(BaseModel):
    id: str
    name: str
    productCount: int
    categories: list[CategoryNode]


class CategoryTree(BaseModel):
    productCount: int
    departments: list[Department]


class CategoryRef(BaseModel):
    id: str
    name: str
    department: str


class OfferOut(BaseModel):
    offerId: str
    sellerId: str
    price: MoneyOut
    freight: MoneyOut
    status: str


class Dimensions(BaseModel):
    weightG: int | None = None
    lengthCm: int | None = None
    heightCm: int | None = None
    widthCm: int | None = None


class ProductOut(BaseModel):
    productId: str
    title: str
    description: str | None = None
    category: CategoryRef
    status: str
    photoCount: int | None = None
    attributes: Dimensions
    offers: list[OfferOut]


class SellerOut(BaseModel):
    sellerId: str
    city: str
    state: str
    offerCount: int


class OfferPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: Annotated[int, Field(gt=0, le=100_000_000, description="BRL centavos")] | None = None
    freight: Annotated[int, Field(ge=0, le=10_000_000, description="BRL centavos")] | None = None


class PricePoint(BaseModel):
    price: MoneyOut
    freight: MoneyOut
    changedAt: str
    changedBy: str


class OfferDetail(OfferOut):
    productId: str
    priceHistory: list[PricePoint] = Field(description="Oldest first")


def _offer(offer_id: str) -> Offer:
    found = list(Offer.by_offer_id.query(f"OFFER#{offer_id}", limit=1))
    if not found:
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")
    return found[0]


def _offer_detail(offer: Offer) -> OfferDetail:
    history = PriceChange.query(f"OFFER#{offer.offer_id}", PriceChange.sk.startswith("PRICE#"))
    return OfferDetail(
        offerId=offer.offer_id,
        productId=offer.product_id,
        sellerId=offer.seller_id,
        price=_money(offer.price),
        freight=_money(offer.freight),
        status=offer.status,
        priceHistory=[
            PricePoint(
                price=_money(h.price),
                freight=_money(h.freight),
                changedAt=h.changed_at,
                changedBy=h.changed_by,
            )
            for h in history
        ],
    )


def _s3():
    # Path-style URLs when an endpoint is set (the local cloud): virtual-host names need DNS.
    style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
    return boto3.client(
        "s3", config=Config(s3={"addressing_style": style}, signature_version="s3v4")
    )


def _report(record: Import) -> ImportReport:
    return ImportReport(
        importId=record.import_id,
        kind=record.kind,
        status=record.status,
        counts=Counts(
            rows=record.rows,
            created=record.created,
            updated=record.updated,
            unchanged=record.unchanged,
            skipped=record.skipped,
        ),
        errors=[RowProblem(row=e.row, reason=e.reason, key=e.key) for e in record.errors],
        failure=record.failure,
        createdAt=record.created_at,
        startedAt=record.started_at,
        completedAt=record.completed_at,
    )


@app.post("/admin/catalog/imports", tags=["catalog admin"], summary="Start a bulk import")
def start_import(body: ImportRequest) -> Response[ImportCreated]:
    """Returns an import id and a presigned URL: PUT the CSV there (``Content-Type:
    text/csv``) within 15 minutes; the import runs on upload. Staff and admins only."""
    caller = require(app, "staff", "admin")
    import_id = new_id("imp")
    key = f"imports/{import_id}/{body.kind}.csv"
    Import(
        *Import.key(import_id),
        import_id=import_id,
        kind=body.kind,
        status="AWAITING_UPLOAD",
        object_key=key,
        requested_by=caller.id,
        created_at=clock.iso(),
    ).save()
    url = _s3().generate_presigned_url(
        "put_object",
        ExpiresIn=UPLOAD_SECONDS,
        Params={
            "Bucket": os.environ["CATALOG_IMPORTS_BUCKET"],
            "Key": key,
            "ContentType": "text/csv",
        },
    )
    created = ImportCreated(
        importId=import_id,
        kind=body.kind,
        status="AWAITING_UPLOAD",
        upload=Upload(url=url, headers={"Content-Type": "text/csv"}, expiresIn=UPLOAD_SECONDS),
    )
    return Response(201, "application/json", created)


@app.get("/admin/catalog/imports/<importId>", tags=["catalog admin"], summary="Import report")
def import_report(importId: str) -> ImportReport:
    require(app, "staff", "admin")
    try:
        return _report(Import.get(*Import.key(importId), consistent_read=True))
    except Import.DoesNotExist as exc:
        raise NotFound("No such import.", code="IMPORT_NOT_FOUND") from exc


@app.get("/categories", tags=["catalog"], summary="The category tree with product counts")
def categories() -> CategoryTree:
    """Departments and their categories; counts sum to the products in the catalog."""
    keys = [CategoryCount.key(slug) for slug in domain.BY_SLUG]
    counts = {item.category: int(item.products) for item in CategoryCount.batch_get(keys)}
    departments = []
    for department_id, name in domain.DEPARTMENTS.items():
        nodes = [
            CategoryNode(id=c.slug, name=c.name, productCount=counts.get(c.slug, 0))
            for c in domain.BY_SLUG.values()
            if c.department == department_id
        ]
        departments.append(
            Department(
                id=department_id,
                name=name,
                productCount=sum(n.productCount for n in nodes),
                categories=sorted(nodes, key=lambda n: n.name),
            )
        )
    return CategoryTree(
        productCount=sum(d.productCount for d in departments), departments=departments
    )


@app.get("/products/<productId>", tags=["catalog"], summary="A product with its offers")
def product(productId: SourceId) -> ProductOut:
    try:
        item = Product.get(*Product.key(productId))
    except Product.DoesNotExist as exc:
        raise NotFound("No such product.", code="PRODUCT_NOT_FOUND") from exc
    category = domain.BY_SLUG.get(item.category, domain.UNCATEGORISED)
    offers = Offer.query(f"PRODUCT#{productId}", Offer.sk.startswith("OFFER#"))
    return ProductOut(
        productId=item.product_id,
        title=item.title,
        description=item.description,
        category=CategoryRef(id=category.slug, name=category.name, department=category.department),
        status=item.status,
        photoCount=item.photo_count,
        attributes=Dimensions(
            weightG=item.weight_g,
            lengthCm=item.length_cm,
            heightCm=item.height_cm,
            widthCm=item.width_cm,
        ),
        offers=[
            OfferOut(
                offerId=o.offer_id,
                sellerId=o.seller_id,
                price=_money(o.price),
                freight=_money(o.freight),
                status=o.status,
            )
            for o in offers
        ],
    )


@app.get("/sellers/<sellerId>", tags=["catalog"], summary="A seller with its offer count")
def seller(sellerId: SourceId) -> SellerOut:
    try:
        item = Seller.get(*Seller.key(sellerId))
    except Seller.DoesNotExist as exc:
        raise NotFound("No such seller.", code="SELLER_NOT_FOUND") from exc
    count = Offer.by_gsi1.count(f"SELLER#{sellerId}", Offer.gsi1sk.startswith("OFFER#"))
    return SellerOut(sellerId=item.seller_id, city=item.city, state=item.state, offerCount=count)


@app.get("/offers/<offerId>", tags=["catalog"], summary="An offer with its price history")
def get_offer(offerId: str) -> OfferDetail:
    return _offer_detail(_offer(offerId))


@app.patch("/offers/<offerId>", tags=["catalog admin"], summary="Change an offer's price")
def patch_offer(offerId: str, body: OfferPatch) -> OfferDetail:
    """Staff and admins, or the seller who owns the offer. Price and freight are BRL centavos.
    The offer and its price history change in one transaction (conditional on the price being
    read unchanged, 409 CONCURRENT_UPDATE otherwise) and OfferPriceChanged is published.
    Setting the current values again changes nothing and publishes nothing."""
    caller = require(app, "staff", "admin", "seller")
    offer = _offer(offerId)
    if not caller.has_any("staff", "admin") and caller.seller_id != offer.seller_id:
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")  # not theirs: not visible
    price = offer.price if body.price is None else body.price
    freight = offer.freight if body.freight is None else body.freight
    if (price, freight) == (offer.price, offer.freight):
        return _offer_detail(offer)
    now = clock.iso()
    change = PriceChange(
        f"OFFER#{offer.offer_id}",
        f"PRICE#{now}#{caller.id[-6:]}",
        offer_id=offer.offer_id,
        price=price,
        freight=freight,
        previous_price=offer.price,
        previous_freight=offer.freight,
        changed_by=caller.id,
        changed_at=now,
    )
    try:
        with transaction() as write:
            write.update(
                offer,
                actions=[
                    Offer.price.set(price),
                    Offer.freight.set(freight),
                    Offer.updated_at.set(now),
                ],
                condition=(Offer.price == offer.price) & (Offer.freight == offer.freight),
            )
            write.save(change, condition=PriceChange.pk.does_not_exist())
    except TransactWriteError as exc:
        raise Conflict(
            "The offer changed meanwhile; read it and try again.", code="CONCURRENT_UPDATE"
        ) from exc
    ids = {"offerId": offer.offer_id, "productId": offer.product_id, "sellerId": offer.seller_id}
    _publisher().publish(
        DomainEvent(
            "catalog",
            "OfferPriceChanged",
            {
                **ids,
                "price": _money(price).model_dump(),
                "freight": _money(freight).model_dump(),
                "previousPrice": _money(offer.price).model_dump(),
                "previousFreight": _money(offer.freight).model_dump(),
            },
        )
    )
    offer.price, offer.freight = price, freight
    return _offer_detail(offer)


_events: EventPublisher | None = None


def _publisher() -> EventPublisher:
    global _events
    _events = _events or EventPublisher()
    return _events


handler = lambda_handler(app)
