"""Seller onboarding use cases: applying to sell, staff's review queue and decisions.

Every change of an application is one transaction conditioned on its version, with the
claims it holds (one open application per account, one seller per document, one shop per
slug): two staff deciding at once, or an applicant editing while staff decide, get 409
``APPLICATION_CHANGED`` rather than a lost write.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from sellers import domain, settings, shops
from sellers.domain import APPROVED, IN_REVIEW, REJECTED, SUBMITTED
from sellers.store import Application, Claim, Shop
from titan import clock
from titan.auth import Principal
from titan.aws import step_functions_sync
from titan.dynamo import failed_conditions, transaction
from titan.errors import Conflict, NotFound, Problem
from titan.events import DomainEvent, publish
from titan.ids import new_id
from titan.paging import page_cursor, page_start
from titan.saga import StepRefused, refusal_from_cause
from titan.uploads import check_uploads, upload_form

#: What applicants may upload (identity document, proof of address, company contract).
DOCUMENT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _checked(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The application's fields from a request body, every rule checked. Raises
    Unprocessable with the rule's code, pointing at its field."""
    try:
        document = domain.check_document(body["legalType"], body["document"])
        bank = domain.check_bank(body["bank"], document)
        slug = domain.slug(body["shopName"])
    except domain.Refused as exc:
        raise exc.problem() from exc
    if body["address"]["state"] not in domain.BRAZILIAN_STATES:
        raise domain.Refused("state is a Brazilian UF.", "STATE_INVALID", "address.state").problem()
    if body.get("documents"):
        check_uploads(
            settings.SETTINGS.needed("seller_documents_bucket"),
            account_id,
            body["documents"],
            DOCUMENT_TYPES,
            MAX_DOCUMENT_BYTES,
            "document",
        )
    return {
        "legal_type": body["legalType"],
        "document": document,
        "legal_name": body["legalName"].strip(),
        "shop_name": body["shopName"].strip(),
        "slug": slug,
        "address": body["address"],
        "bank": bank,
        "documents": list(body.get("documents") or []),
    }


def document_form(caller: Principal, content_type: str) -> dict:
    """A presigned S3 POST for one document of the caller's (JPEG, PNG or PDF, 10 MB)."""
    return upload_form(
        settings.SETTINGS.needed("seller_documents_bucket"),
        caller.id,
        "doc",
        content_type,
        DOCUMENT_TYPES[content_type],
        MAX_DOCUMENT_BYTES,
    )


def _claim_conflict(failed: set[str]) -> Conflict:
    if "open" in failed:
        return Conflict("You have an application open already.", code="APPLICATION_OPEN")
    if "document" in failed:
        return Conflict(
            "A seller with this CPF or CNPJ exists or is applying.", code="DOCUMENT_IN_USE"
        )
    return Conflict("Another shop has this name; choose another.", code="SHOP_NAME_TAKEN")


def _status_actions(
    application: Application,
    status: str,
    by: str,
    reasons: list[str] | None = None,
    note: str | None = None,
) -> list:
    """The update actions that move ``application`` to ``status`` (its queue position, its
    version, a history line, the reasons and note of this move and nothing older)."""
    now = clock.iso()
    history = [
        *(application.history or []),
        {"status": status, "at": now, "by": by, "note": note},
    ]
    return [
        Application.status.set(status),
        Application.gsi1pk.set(f"STATUS#{status}"),
        Application.gsi1sk.set(f"{now}#{application.application_id}"),
        Application.updated_at.set(now),
        Application.version.add(1),
        Application.history.set(history),
        Application.reasons.set(reasons or []),
        Application.note.set(note) if note else Application.note.remove(),
    ]


def apply(caller: Principal, body: dict[str, Any]) -> Application:
    """Open the caller's application (SUBMITTED). Raises Unprocessable (a rule's code: see
    ``domain``; DOCUMENT_NOT_FOUND/INVALID for uploads) and Conflict APPLICATION_OPEN,
    DOCUMENT_IN_USE, SHOP_NAME_TAKEN, ALREADY_A_SELLER."""
    if caller.seller_id:
        raise Conflict("You sell already.", code="ALREADY_A_SELLER")
    fields = _checked(caller.id, body)
    now = clock.iso()
    application_id = new_id("sap")
    application = Application(
        *Application.key(application_id),
        application_id=application_id,
        account_id=caller.id,
        status=SUBMITTED,
        gsi1pk=f"STATUS#{SUBMITTED}",
        gsi1sk=f"{now}#{application_id}",
        gsi2pk=f"ACCOUNT#{caller.id}",
        gsi2sk=f"{now}#{application_id}",
        history=[{"status": SUBMITTED, "at": now, "by": caller.id, "note": None}],
        created_at=now,
        updated_at=now,
        **fields,
    )
    claims = {
        "open": Claim(*Claim.open_key(caller.id), application_id=application_id),
        "document": Claim(*Claim.document_key(fields["document"]), application_id=application_id),
        "slug": Claim(*Claim.slug_key(fields["slug"]), application_id=application_id),
    }
    try:
        with transaction() as tx:
            tx.save(application, condition=Application.pk.does_not_exist())
            for claim in claims.values():
                tx.save(claim, condition=Claim.pk.does_not_exist())
    except TransactWriteError as exc:
        order = ["application", *claims]
        failed = {order[i] for i in failed_conditions(exc)}
        if not failed:
            raise
        raise _claim_conflict(failed) from exc
    return application


def application(caller: Principal, application_id: str) -> Application:
    """The application, for its applicant or staff. Raises NotFound APPLICATION_NOT_FOUND."""
    try:
        found = Application.get(*Application.key(application_id), consistent_read=True)
    except DoesNotExist:
        found = None
    if found is None or (found.account_id != caller.id and not caller.has_any("staff")):
        raise NotFound("No such seller application.", code="APPLICATION_NOT_FOUND")
    return found


def mine(caller: Principal) -> list[Application]:
    """The caller's applications, newest first."""
    return list(Application.by_account.query(f"ACCOUNT#{caller.id}", scan_index_forward=False))


def queue(status: str, cursor: str | None, limit: int) -> dict[str, Any]:
    """Staff's queue: applications in ``status``, longest waiting first, paged. Raises
    BadRequest INVALID_CURSOR."""
    start = page_start(cursor, ("pk", "sk", "gsi1pk", "gsi1sk"), {"gsi1pk": f"STATUS#{status}"})
    query = Application.by_status.query(f"STATUS#{status}", limit=limit, last_evaluated_key=start)
    items = list(query)
    return {"items": items, "nextCursor": page_cursor(query.last_evaluated_key)}


def _move(
    application: Application,
    action: str,
    by: str,
    *,
    reasons: list[str] | None = None,
    note: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Application:
    """Move ``application`` by ``action`` in one transaction on its version; a rejection
    releases its claims, a resubmission swaps the claims its new fields change. Raises
    Unprocessable INVALID_TRANSITION; Conflict APPLICATION_CHANGED (or a claim's)."""
    try:
        status = domain.next_status(application.status, action)
    except domain.Refused as exc:
        raise Conflict(str(exc), code=exc.code) from exc
    actions = _status_actions(application, status, by, reasons, note)
    if action == "review":
        actions.append(Application.reviewer_id.set(by))
    releases: list[tuple[str, str]] = []
    takes: dict[str, Claim] = {}
    if status == REJECTED:
        releases = [
            Claim.open_key(application.account_id),
            Claim.document_key(application.document),
            Claim.slug_key(application.slug),
        ]
    for name, value in (fields or {}).items():
        actions.append(getattr(Application, name).set(value))
    if fields and fields["document"] != application.document:
        releases.append(Claim.document_key(application.document))
        takes["document"] = Claim(
            *Claim.document_key(fields["document"]), application_id=application.application_id
        )
    if fields and fields["slug"] != application.slug:
        releases.append(Claim.slug_key(application.slug))
        takes["slug"] = Claim(
            *Claim.slug_key(fields["slug"]), application_id=application.application_id
        )
    try:
        with transaction() as tx:
            for key in releases:
                tx.delete(Claim(*key))
            for claim in takes.values():
                tx.save(claim, condition=Claim.pk.does_not_exist())
            tx.update(application, actions, condition=Application.version == application.version)
    except TransactWriteError as exc:
        # pynamodb sends deletes, then puts, then updates.
        order = ["release"] * len(releases) + list(takes) + ["application"]
        failed = {order[i] for i in failed_conditions(exc)}
        if not failed:
            raise
        if "application" in failed:
            raise Conflict(
                "The application changed meanwhile; read it and try again.",
                code="APPLICATION_CHANGED",
            ) from exc
        raise _claim_conflict(failed) from exc
    return Application.get(*Application.key(application.application_id), consistent_read=True)


def review(staff: Principal, application_id: str) -> Application:
    """Staff take a SUBMITTED application into review."""
    return _move(application(staff, application_id), "review", staff.id)


def reject(staff: Principal, application_id: str, reasons: list[str], note: str | None):
    """Staff reject it with reasons (``domain.REJECTION_REASONS``): its claims are released,
    so the applicant may apply again. Publishes SellerApplicationRejected."""
    moved = _move(
        application(staff, application_id), "reject", staff.id, reasons=reasons, note=note
    )
    publish([DomainEvent.of("SellerApplicationRejected", {
        "applicationId": moved.application_id, "accountId": moved.account_id,
        "shopName": moved.shop_name, "reasons": reasons, "note": note,
    })])  # fmt: skip
    return moved


def request_info(staff: Principal, application_id: str, note: str) -> Application:
    """Staff ask the applicant for something (``note`` says what): NEEDS_INFO. Publishes
    SellerInfoRequested."""
    moved = _move(application(staff, application_id), "request_info", staff.id, note=note)
    publish([DomainEvent.of("SellerInfoRequested", {
        "applicationId": moved.application_id, "accountId": moved.account_id,
        "shopName": moved.shop_name, "note": note,
    })])  # fmt: skip
    return moved


# --- approval ----------------------------------------------------------------------------------
#: Seconds the API waits for the approval saga (API Gateway cuts a REST integration at 29 s).
ANSWER_SECONDS = 20


def seller_id_of(application_id: str) -> str:
    """The seller an application becomes: 32 hex digits (the catalog's seller ids, as
    Olist's), fixed by the application so a retried approval makes the same seller."""
    return hashlib.sha256(f"seller:{application_id}".encode()).hexdigest()[:32]


def _run_saga(state_input: dict) -> dict:
    """Run the approval saga (Step Functions, EXPRESS, synchronous): ``{"status", "error",
    "cause", "output"}``."""
    return step_functions_sync(ANSWER_SECONDS).start_sync_execution(
        stateMachineArn=settings.SETTINGS.needed("seller_approval_state_machine"),
        name=f"{state_input['applicationId']}-{state_input['version']}",
        input=json.dumps(state_input),
    )


def approve(staff: Principal, application_id: str) -> Application:
    """Approve an application in review, all or nothing (the seller approval saga): the
    seller in the catalog, its ledger account, the applicant's seller role, then the
    application APPROVED. Raises Conflict INVALID_TRANSITION, APPLICATION_CHANGED (the saga
    undid its steps); Problem 503 APPROVAL_FAILED when a step kept failing (undone too)."""
    found = application(staff, application_id)
    try:
        domain.next_status(found.status, "approve")
    except domain.Refused as exc:
        raise Conflict(str(exc), code=exc.code) from exc
    state_input = {
        "applicationId": found.application_id,
        "version": int(found.version),
        "sellerId": seller_id_of(found.application_id),
        "accountId": found.account_id,
        "staffId": staff.id,
        "city": found.address["city"],
        "state": found.address["state"],
        "zipPrefix": found.address["postalCode"].replace("-", "")[:5],
        "currency": "BRL",
    }
    result = _run_saga(state_input)
    if result.get("status") != "SUCCEEDED":
        refusal = refusal_from_cause(result.get("error"), result.get("cause"))
        if refusal is not None:
            raise refusal
        raise Problem(
            "The approval did not complete and was undone; try again.",
            status=503,
            code="APPROVAL_FAILED",
            title="Approval failed",
        )
    return Application.get(*Application.key(application_id), consistent_read=True)


def finish_approval(application_id: str, version: int, seller_id: str, staff_id: str):
    """The approval saga's last step: APPROVED with ``seller_id`` on the condition the
    application is still the ``version`` staff approved (or already approved with that
    seller: a retry), and the seller's shop made, in one transaction. Publishes
    SellerApproved. Raises StepRefused APPLICATION_CHANGED."""
    found = Application.get(*Application.key(application_id), consistent_read=True)
    if found.status == APPROVED and found.seller_id == seller_id:
        return found
    shop = shops.new_shop(
        found.slug,
        seller_id,
        found.shop_name,
        found.address["city"],
        found.address["state"],
        "APPLICATION",
        clock.iso(),
    )
    try:
        with transaction() as write:
            write.update(
                found,
                actions=[
                    *_status_actions(found, APPROVED, staff_id),
                    Application.seller_id.set(seller_id),
                ],
                condition=(Application.version == version) & (Application.status == IN_REVIEW),
            )
            write.save(shop, condition=Shop.pk.does_not_exist())
    except TransactWriteError as exc:
        if failed_conditions(exc):
            raise StepRefused(
                "APPLICATION_CHANGED", 409, "The application changed while it was approved."
            ) from exc
        raise
    publish([DomainEvent.of("SellerApproved", {
        "applicationId": application_id, "sellerId": seller_id, "accountId": found.account_id,
        "shopName": found.shop_name, "slug": found.slug, "legalType": found.legal_type,
        "city": found.address["city"], "state": found.address["state"],
    })])  # fmt: skip
    found.refresh(consistent_read=True)
    return found


def resubmit(caller: Principal, application_id: str, body: dict[str, Any]) -> Application:
    """The applicant answers a NEEDS_INFO with the whole application again (checked as a new
    one): SUBMITTED. Raises NotFound for anyone but the applicant."""
    found = application(caller, application_id)
    if found.account_id != caller.id:
        raise NotFound("No such seller application.", code="APPLICATION_NOT_FOUND")
    fields = _checked(caller.id, body)
    return _move(found, "resubmit", caller.id, fields=fields)


def view(application: Application) -> dict[str, Any]:
    """The API's shape of an application (the bank account shown masked)."""
    bank = dict(application.bank)
    bank["account"] = "•••" + bank["account"][-4:]
    return {
        "applicationId": application.application_id,
        "accountId": application.account_id,
        "status": application.status,
        "legalType": application.legal_type,
        "document": application.document,
        "legalName": application.legal_name,
        "shopName": application.shop_name,
        "slug": application.slug,
        "address": application.address,
        "bank": bank,
        "documents": list(application.documents or []),
        "reasons": list(application.reasons or []),
        "note": application.note,
        "history": application.history or [],
        "sellerId": application.seller_id,
        "createdAt": application.created_at,
        "updatedAt": application.updated_at,
    }
