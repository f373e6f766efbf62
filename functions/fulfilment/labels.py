"""Carrier labels: an A6 PDF drawn with fpdf2 (tracking number in a Code 39 barcode, sender,
recipient, parcel), kept in S3 and handed out by presigned URL."""

from __future__ import annotations

from fulfilment import settings
from titan.aws import signing_s3

#: Seconds a label's presigned URL works.
URL_SECONDS = 900


def _text(value: object) -> str:
    """Latin-1 text for the PDF's core fonts (Portuguese fits; anything else becomes '?')."""
    return str(value or "").encode("latin-1", "replace").decode("latin-1")


def draw(
    *,
    carrier: str,
    service: str,
    tracking_number: str,
    package_id: str,
    order_id: str,
    sender: str,
    ship_to: dict,
    parcel: dict | None,
    promised_by: str | None,
) -> bytes:
    """The label as PDF bytes (one A6 page, 105 x 148 mm); ``sender`` is the FROM line."""
    # Imported when a label is drawn: fpdf2 (with Pillow) took 150-200 ms of every fulfilment
    # function's cold start, and only buying a label draws one.
    from fpdf import FPDF

    pdf = FPDF(format=(105, 148))  # A6, mm
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _text(carrier), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _text(f"Service {service}"), new_x="LMARGIN", new_y="NEXT")
    pdf.code39(f"*{tracking_number}*", x=8, y=24, w=0.7, h=14)
    pdf.set_y(40)
    pdf.set_font("Courier", "B", 12)
    pdf.cell(0, 6, tracking_number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "TO", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    street = " ".join(
        _text(ship_to.get(k)) for k in ("street", "number", "complement") if ship_to.get(k)
    )
    for line in (
        ship_to.get("recipientName"),
        street,
        ship_to.get("district"),
        f"{ship_to.get('city', '')} - {ship_to.get('state', '')}",
        f"CEP {ship_to.get('postalCode', '')}",
    ):
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "FROM", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _text(sender), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 8)
    weight = f"{parcel['weightGrams']} g" if parcel else "-"
    for line in (
        f"Package {package_id}",
        f"Order {order_id}",
        f"Weight {weight}",
        f"Promised by {promised_by or '-'}",
    ):
        pdf.cell(0, 4, _text(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def store(package_id: str, pdf: bytes) -> str:
    """Put the label in the labels bucket; its key."""
    key = f"labels/{package_id}.pdf"
    signing_s3().put_object(
        Bucket=settings.SETTINGS.needed("labels_bucket"),
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
    )
    return key


def url(key: str) -> str:
    """A presigned GET URL of the label, valid ``URL_SECONDS``."""
    return signing_s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": settings.SETTINGS.needed("labels_bucket"), "Key": key},
        ExpiresIn=URL_SECONDS,
    )
