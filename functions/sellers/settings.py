"""The sellers functions' settings (functions/sellers/template.yaml), read at cold start."""

from titan.settings import Settings


class SellersSettings(Settings):
    #: Where applicants upload their documents (presigned POST), under ``uploads/<accountId>/``.
    seller_documents_bucket: str | None = None
    #: The seller approval saga (Step Functions, EXPRESS).
    seller_approval_state_machine: str | None = None
    #: Shops' logos (presigned POST under ``uploads/<sellerId>/``).
    shop_media_bucket: str | None = None


SETTINGS = SellersSettings.from_environment()
