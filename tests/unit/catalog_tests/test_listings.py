"""Sellers' listings: the rules (GTIN, options and variants, category attributes,
prohibited items), a listing with two variants and images through the API's handler from
draft to published, every refusal, who may act, moderation's states, and thumbnails."""

from __future__ import annotations

import io

import boto3
import pytest
from moto import mock_aws
from PIL import Image

from apigw import FakeContext, call
from catalog import api, listing, settings, steps, thumbnails
from tests.unit.catalog_tests.helpers import S1, S2, run
from tests.unit.catalog_tests.tables import create_catalog_table
from titan.events import EventPublisher
from titan.saga import StepRefused

BUCKET = "titan-test-catalog-media"
OWNER = {"principalId": "acct_seller", "roles": "seller", "sellerId": S1}
OTHER = {"principalId": "acct_other", "roles": "seller", "sellerId": S2}
STAFF = {"principalId": "acct_staff", "roles": "staff"}
BUYER = {"principalId": "acct_buyer", "roles": "customer"}


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize("code", ["4006381333931", "036000291452", "96385074", "17891000315504"])
def test_gtins_with_their_check_digit(code):
    assert listing.gtin_valid(code)


@pytest.mark.parametrize("code", ["4006381333932", "036000291453", "1234567", "abcdefgh", ""])
def test_gtins_refused(code):
    assert not listing.gtin_valid(code)


def test_options_make_the_skus_and_a_variant_picks_one_value_of_each():
    options = listing.check_options(
        [{"name": " Size ", "values": ["S", "M"]}, {"name": "Colour", "values": ["Red"]}]
    )
    assert listing.combinations(options) == [
        {"Size": "S", "Colour": "Red"},
        {"Size": "M", "Colour": "Red"},
    ]
    taken: set = set()
    picked = listing.check_variant_choice(options, {"size": "m", "COLOUR": "red"}, "v.0", taken)
    assert picked == {"Size": "M", "Colour": "Red"}
    assert listing.variant_label(picked) == "Size M, Colour Red"
    for choice, code in (
        ({"Size": "M", "Colour": "Red"}, "VARIANT_DUPLICATE"),
        ({"Size": "XL", "Colour": "Red"}, "VARIANT_INVALID"),
        ({"Size": "S"}, "VARIANT_INVALID"),
        ({"Size": "S", "Colour": "Red", "Fit": "Slim"}, "VARIANT_INVALID"),
    ):
        with pytest.raises(listing.Refused) as refused:
            listing.check_variant_choice(options, choice, "v.1", taken)
        assert refused.value.code == code and refused.value.field == "v.1"
    assert listing.combinations([]) == [{}]


@pytest.mark.parametrize(
    "options",
    [
        [{"name": "Size", "values": ["S", "s"]}],
        [{"name": "Size", "values": ["S"]}, {"name": "size", "values": ["M"]}],
        [{"name": n, "values": ["x"]} for n in "ABCD"],
    ],
)
def test_options_refused(options):
    with pytest.raises(listing.Refused) as refused:
        listing.check_options(options)
    assert refused.value.code == "OPTIONS_INVALID"


def test_each_category_takes_its_typed_attribute_set():
    checked = listing.check_attributes(
        {"brand": " Acme  Co ", "voltage": "bivolt", "warrantyMonths": 12.0, "condition": "new"},
        "small-appliances",
        "home",
    )
    assert checked == {"brand": "Acme Co", "voltage": "BIVOLT", "warrantyMonths": 12,
                       "condition": "NEW"}  # fmt: skip
    for given, code, field in (
        ({"brand": "A", "condition": "NEW"}, "ATTRIBUTE_REQUIRED", "voltage"),
        ({"brand": "A", "condition": "NEW", "voltage": "380V"}, "ATTRIBUTE_INVALID", "voltage"),
        (
            {"brand": "A", "condition": "NEW", "voltage": "110V", "warrantyMonths": 500},
            "ATTRIBUTE_INVALID",
            "warrantyMonths",
        ),
        (
            {"brand": "A", "condition": "NEW", "voltage": "110V", "warrantyMonths": True},
            "ATTRIBUTE_INVALID",
            "warrantyMonths",
        ),
        ({"brand": "A", "condition": "NEW", "voltage": "110V", "isbn": "1"}, "ATTRIBUTE_UNKNOWN",
         "isbn"),
    ):  # fmt: skip
        with pytest.raises(listing.Refused) as refused:
            listing.check_attributes(given, "small-appliances", "home")
        assert (refused.value.code, refused.value.field) == (code, f"categoryAttributes.{field}")


def test_prohibited_items_are_found_in_either_language_whole_words_only():
    assert listing.prohibited("Relógio RÉPLICA perfeita", "") == ["counterfeits: replica"]
    assert listing.prohibited("Pistola de água", "airsoft") == ["weapons: pistola"]
    assert listing.prohibited("Camiseta", "100% algodão", "Fakeland") == []
    assert listing.prohibited("Vape pen", "cigarette case") == ["tobacco: cigarette, vape"]


def test_moderation_moves():
    assert listing.moved("submit", listing.DRAFT) == listing.SUBMITTED
    assert listing.moved("submit", listing.REJECTED) == listing.SUBMITTED
    assert listing.moved("reject", listing.PUBLISHED) == listing.REJECTED
    with pytest.raises(ValueError):
        listing.moved("publish", listing.DRAFT)


# ------------------------------------------------------------------ through the API


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def shop(monkeypatch):
    with mock_aws():
        create_catalog_table()
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.client("events").create_event_bus(Name="titan-test")
        run(
            "sellers",
            "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
            f"{S1},13023,campinas,SP\n{S2},01310,sao paulo,SP\n",
        )
        update = {"catalog_media_bucket": BUCKET}
        monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
        published = []
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: published.extend(e))
        yield published


def upload(who=OWNER, body: bytes | None = None, seller=S1) -> str:
    status, _, form = call(
        api.handler,
        "POST",
        f"/sellers/{seller}/product-images",
        {"contentType": "image/png"},
        authorizer=who,
    )
    assert status == 201, form
    assert form["fields"]["Content-Type"] == "image/png" and "policy" in form["fields"]
    boto3.client("s3").put_object(
        Bucket=BUCKET, Key=form["key"], Body=png() if body is None else body,
        ContentType="image/png",
    )  # fmt: skip
    return form["key"]


def tee(pictures: list[str], **changes) -> dict:
    body = {
        "title": "Camiseta básica algodão",
        "category": "fashion-female-clothing",
        "description": "Malha 100% algodão.",
        "dimensions": {"weightG": 180, "lengthCm": 30, "heightCm": 2, "widthCm": 25},
        "categoryAttributes": {"brand": "Hering", "condition": "NEW", "gender": "FEMALE"},
        "options": [
            {"name": "Size", "values": ["P", "M", "G"]},
            {"name": "Colour", "values": ["Branca", "Preta"]},
        ],
        "variants": [
            {"options": {"Size": "M", "Colour": "Branca"}, "price": 4990, "freight": 1200,
             "stock": 7, "gtin": "7891000315507", "sellerSku": "TEE-M-WHT", "images": pictures},
            {"options": {"Size": "G", "Colour": "Preta"}, "price": 5490, "freight": 1200,
             "stock": 3},
        ],
        "images": pictures,
    }  # fmt: skip
    body.update(changes)
    return body


def create(body: dict, who=OWNER, seller=S1):
    return call(api.handler, "POST", f"/sellers/{seller}/products", body, authorizer=who)


def quote(product_id: str, sku_id: str) -> dict:
    line = {"lineId": "l1", "productId": product_id, "sellerId": S1, "skuId": sku_id}
    return steps.quote({"lines": [{**line, "quantity": 1}]})


def test_a_listing_from_draft_to_sale(shop):
    image = upload()
    status, _, made = create(tee([image]))
    assert status == 201, made
    pid = made["productId"]
    assert (made["moderation"], made["status"], made["sellerId"]) == ("DRAFT", "INACTIVE", S1)
    assert made["options"][1] == {"name": "Colour", "values": ["Branca", "Preta"]}
    white, black = made["offers"]
    assert (white["options"], white["gtin"], white["sellerSku"]) == (
        {"Size": "M", "Colour": "Branca"}, "7891000315507", "TEE-M-WHT",
    )  # fmt: skip
    assert white["status"] == "DRAFT" and white["skuId"].startswith("sku_")
    assert white["images"][0]["key"] == image
    assert set(white["images"][0]["thumbnails"]) == {"200", "600"}
    assert [e.detail_type for e in shop] == ["ProductCreated", "OfferCreated", "OfferCreated"]
    assert [e.data["openingUnits"] for e in shop[1:]] == [7, 3]
    assert {e.data["skuId"] for e in shop[1:]} == {white["skuId"], black["skuId"]}

    # a draft is the seller's alone: not public, not sold
    assert call(api.handler, "GET", f"/products/{pid}")[0] == 404
    with pytest.raises(StepRefused) as refused:
        quote(pid, white["skuId"])
    assert refused.value.code == "OFFER_UNAVAILABLE"
    status, _, paused = call(
        api.handler, "PATCH", f"/offers/{white['offerId']}", {"status": "ACTIVE"}, authorizer=OWNER
    )
    assert (status, paused["code"]) == (409, "OFFER_NOT_PUBLISHED")

    status, _, sent = call(
        api.handler, "POST", f"/sellers/{S1}/products/{pid}/submit", authorizer=OWNER
    )
    assert (status, sent["moderation"]) == (200, "SUBMITTED")
    queue = call(api.handler, "GET", "/admin/listings", authorizer=STAFF)[2]
    assert [p["productId"] for p in queue["items"]] == [pid]
    assert call(api.handler, "GET", "/admin/listings", authorizer=OWNER)[0] == 403

    shop.clear()
    status, _, live = call(api.handler, "POST", f"/admin/listings/{pid}/publish", authorizer=STAFF)
    assert (status, live["moderation"], live["status"]) == (200, "PUBLISHED", "ACTIVE")
    assert {o["status"] for o in live["offers"]} == {"ACTIVE"}
    assert sorted(e.detail_type for e in shop) == ["OfferUpdated", "OfferUpdated", "ProductUpdated"]
    assert call(api.handler, "GET", "/admin/listings", authorizer=STAFF)[2]["items"] == []

    quoted = quote(pid, black["skuId"])["lines"][0]
    assert quoted["title"] == "Camiseta básica algodão (Size G, Colour Preta)"
    assert (quoted["unitPrice"], quoted["offerId"]) == (5490, black["offerId"])
    public = call(api.handler, "GET", f"/products/{pid}")[2]
    assert len(public["offers"]) == 2 and public["categoryAttributes"]["brand"] == "Hering"

    # a third variant on a published listing is on sale at once
    status, _, grown = call(
        api.handler,
        "POST",
        f"/sellers/{S1}/products/{pid}/variants",
        {"options": {"Size": "P", "Colour": "Preta"}, "price": 4790, "stock": 2},
        authorizer=OWNER,
    )
    assert status == 201 and [o["status"] for o in grown["offers"]] == ["ACTIVE"] * 3
    status, _, again = call(
        api.handler,
        "POST",
        f"/sellers/{S1}/products/{pid}/variants",
        {"options": {"Size": "P", "Colour": "Preta"}, "price": 4790},
        authorizer=OWNER,
    )
    assert (status, again["code"]) == (422, "VARIANT_DUPLICATE")

    # the seller's list has it, with its variants; staff take it down
    mine = call(api.handler, "GET", f"/sellers/{S1}/products", authorizer=OWNER)[2]
    assert [p["productId"] for p in mine["items"]] == [pid]
    status, _, down = call(
        api.handler,
        "POST",
        f"/admin/listings/{pid}/reject",
        {"reasons": ["MISLEADING_LISTING"], "note": "Photos show another product."},
        authorizer=STAFF,
    )
    assert (status, down["moderation"], down["status"]) == (200, "REJECTED", "INACTIVE")
    assert down["rejection"]["by"] == "acct_staff"
    assert call(api.handler, "GET", f"/products/{pid}")[0] == 404  # taken down: not public
    with pytest.raises(StepRefused):
        quote(pid, black["skuId"])


@pytest.mark.parametrize(
    "change, code, location",
    [
        (
            {
                "variants": [
                    {
                        "price": 100,
                        "gtin": "7891000315508",
                        "options": {"Size": "M", "Colour": "Preta"},
                    }
                ]
            },
            "GTIN_INVALID",
            "body.variants.0.gtin",
        ),  # fmt: skip
        (
            {"variants": [{"price": 100, "options": {"Size": "M", "Colour": "Preta"}}] * 2},
            "VARIANT_DUPLICATE",
            "body.variants.1.options",
        ),
        (
            {"variants": [{"price": 100, "options": {"Size": "M"}}]},
            "VARIANT_INVALID",
            "body.variants.0.options",
        ),  # fmt: skip
        (
            {"categoryAttributes": {"brand": "X"}},
            "ATTRIBUTE_REQUIRED",
            "body.categoryAttributes.condition",
        ),  # fmt: skip
        (
            {"categoryAttributes": {"brand": "X", "condition": "NEW", "voltage": "110V"}},
            "ATTRIBUTE_UNKNOWN",
            "body.categoryAttributes.voltage",
        ),  # fmt: skip
        ({"images": ["uploads/x/img_1.png"]}, "IMAGE_NOT_FOUND", None),
        ({"category": "no-such-thing"}, "UNKNOWN_CATEGORY", None),
    ],
)
def test_listings_refused(shop, change, code, location):
    status, _, problem = create(tee([], **change))
    assert (status, problem["code"]) == (422, code), problem
    if location:
        assert problem["errors"][0]["location"] == location
    assert shop == []


def test_an_image_is_what_its_bytes_say(shop):
    fake = upload(body=b"GIF89a not a png at all")
    status, _, problem = create(tee([fake]))
    assert (status, problem["code"]) == (422, "IMAGE_INVALID")
    theirs = upload(who=OTHER, seller=S2)
    status, _, problem = create(tee([theirs]))
    assert (status, problem["code"]) == (422, "IMAGE_NOT_FOUND")
    status, _, problem = create(tee([upload()] * 2))
    assert (status, problem["code"]) == (422, "IMAGE_DUPLICATE")


def test_only_the_seller_or_staff_list_for_a_seller(shop):
    assert create(tee([]), who=OTHER)[0] == 404
    assert create(tee([]), who=BUYER)[0] == 403
    status, _, made = create(tee([]), who=STAFF)
    assert status == 201
    pid = made["productId"]
    for path in (f"/sellers/{S1}/products/{pid}", f"/sellers/{S1}/products"):
        assert call(api.handler, "GET", path, authorizer=OTHER)[0] == 404
    assert call(api.handler, "GET", f"/sellers/{S2}/products/{pid}", authorizer=OTHER)[0] == 404
    status, _, problem = call(
        api.handler, "PATCH", f"/sellers/{S1}/products/{pid}", {"title": "Mine"}, authorizer=OTHER
    )
    assert status == 404


def test_moderation_refusals_and_the_prohibited_item_rule(shop):
    pid = create(tee([]))[2]["productId"]
    submit = lambda: call(  # noqa: E731
        api.handler, "POST", f"/sellers/{S1}/products/{pid}/submit", authorizer=OWNER
    )
    status, _, problem = submit()
    assert (status, problem["code"]) == (422, "IMAGES_REQUIRED")
    status, _, problem = call(
        api.handler, "POST", f"/admin/listings/{pid}/publish", authorizer=STAFF
    )
    assert (status, problem["code"]) == (409, "MODERATION_STATE")
    image = upload()
    status, _, edited = call(
        api.handler,
        "PATCH",
        f"/sellers/{S1}/products/{pid}",
        {"title": "Camiseta réplica Lacoste", "images": [image]},
        authorizer=OWNER,
    )
    assert status == 200 and edited["images"][0]["key"] == image
    status, _, sent = submit()
    assert (status, sent["moderation"]) == (200, "REJECTED")
    assert sent["rejection"] == {
        "reasons": ["PROHIBITED_ITEM"], "note": "counterfeits: replica", "by": "rules"
    }  # fmt: skip
    assert call(api.handler, "GET", "/admin/listings", authorizer=STAFF)[2]["items"] == []
    call(
        api.handler,
        "PATCH",
        f"/sellers/{S1}/products/{pid}",
        {"title": "Camiseta polo"},
        authorizer=OWNER,
    )
    assert submit()[2]["moderation"] == "SUBMITTED"
    assert submit()[2]["code"] == "MODERATION_STATE"


def test_category_attribute_sets_are_public(shop):
    status, _, spec = call(api.handler, "GET", "/categories/small-appliances/attributes")
    assert status == 200
    voltage = next(a for a in spec["attributes"] if a["name"] == "voltage")
    assert voltage == {"name": "voltage", "kind": "choice", "required": True,
                       "choices": ["110V", "220V", "BIVOLT"], "min": None, "max": None,
                       "unit": None}  # fmt: skip
    assert call(api.handler, "GET", "/categories/nope/attributes")[0] == 404


# ------------------------------------------------------------------ thumbnails


def test_thumbnails_keep_the_shape_and_skip_what_is_not_an_image():
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        wide = io.BytesIO()
        Image.new("RGB", (1200, 800), (10, 120, 200)).save(wide, "JPEG")
        s3.put_object(Bucket=BUCKET, Key="uploads/s1/img_A.jpg", Body=wide.getvalue())
        s3.put_object(Bucket=BUCKET, Key="uploads/s1/img_B.png", Body=b"\x89PNG broken")
        event = {
            "Records": [
                {"s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}
                for key in ("uploads/s1/img_A.jpg", "uploads/s1/img_B.png")
            ]
        }
        assert thumbnails.handler(event, FakeContext()) == {"made": 1, "skipped": 1}
        for size, expected in ((200, (200, 133)), (600, (600, 400))):
            body = s3.get_object(Bucket=BUCKET, Key=f"thumbnails/s1/img_A-{size}.webp")["Body"]
            with Image.open(io.BytesIO(body.read())) as made:
                assert (made.format, made.size) == ("WEBP", expected)
        small = io.BytesIO()
        Image.new("RGB", (120, 60)).save(small, "PNG")
        sizes = thumbnails.thumbnails(small.getvalue())
        with Image.open(io.BytesIO(sizes[600])) as kept:
            assert kept.size == (120, 60)  # never enlarged


def test_a_variant_is_edited_and_its_price_keeps_its_history(shop):
    made = create(tee([]))[2]
    pid, white = made["productId"], made["offers"][0]
    path = f"/sellers/{S1}/products/{pid}/variants/{white['skuId']}"

    def edit(body, who=OWNER):
        return call(api.handler, "PATCH", path, body, authorizer=who)

    shop.clear()
    status, _, edited = edit({"price": 4490, "sellerSku": "TEE-M-W2", "gtin": None})
    assert status == 200
    changed = next(o for o in edited["offers"] if o["skuId"] == white["skuId"])
    assert (changed["price"]["amount"], changed["sellerSku"], changed["gtin"]) == (
        4490, "TEE-M-W2", None,
    )  # fmt: skip
    (event,) = shop
    assert (event.detail_type, event.data["skuId"]) == ("OfferPriceChanged", white["skuId"])
    history = call(api.handler, "GET", f"/offers/{white['offerId']}")[2]["priceHistory"]
    assert [h["price"]["amount"] for h in history] == [4990, 4490]
    assert edit({"gtin": "7891000315508"})[2]["code"] == "GTIN_INVALID"
    assert edit({"images": ["uploads/x/img_1.png"]})[2]["code"] == "IMAGE_NOT_FOUND"
    assert edit({"price": 1}, who=OTHER)[0] == 404
    wrong = f"/sellers/{S1}/products/{pid}/variants/sku_{'0' * 26}"
    status, _, problem = call(api.handler, "PATCH", wrong, {"price": 1}, authorizer=OWNER)
    assert (status, problem["code"]) == (404, "SKU_NOT_FOUND")
