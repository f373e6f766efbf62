"""The reviews functions' settings (functions/reviews/template.yaml), read at cold start."""

from pydantic import PositiveInt

from titan.settings import Settings


class ReviewsSettings(Settings):
    #: Days after delivery a buyer may review what they received.
    review_window_days: PositiveInt = 90
    #: Days after writing it a buyer may still edit a review.
    review_edit_days: PositiveInt = 30
    #: Reviews of one product or one seller within an hour before moderation calls it a burst.
    review_burst_per_hour: PositiveInt = 20
    #: Reports by different accounts that take a published review back to staff.
    review_report_threshold: PositiveInt = 3
    #: Where buyers upload review photos (presigned POST), under ``uploads/<accountId>/``.
    review_photos_bucket: str | None = None


SETTINGS = ReviewsSettings.from_environment()
