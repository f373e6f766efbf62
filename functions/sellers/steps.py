"""The sellers context's saga steps (one Lambda, ``action`` picks the step; see
``titan.saga``).

- ``finishApproval``: the seller approval saga's last step: the application APPROVED with
  its seller, on the condition it is the version staff approved, and SellerApproved
  published (the applicant is told; other contexts learn of the shop).
"""

from __future__ import annotations

from sellers import service
from titan.saga import steps


def finish_approval(event: dict) -> dict:
    """``{"applicationId", "version", "sellerId", "staffId"}`` → ``{"status", "sellerId"}``.
    Idempotent (a retry finds it approved). Refuses 409 APPLICATION_CHANGED."""
    done = service.finish_approval(
        event["applicationId"], int(event["version"]), event["sellerId"], event["staffId"]
    )
    return {"status": done.status, "sellerId": done.seller_id}


handler = steps({"finishApproval": finish_approval})
