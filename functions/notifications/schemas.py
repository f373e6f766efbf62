"""The notification API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from notifications.domain import CATEGORIES, CHANNELS, LOCALES
from titan.ids import NotificationId

Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
Channel = Literal[tuple(CHANNELS)]  # type: ignore[valid-type]
Locale = Literal[tuple(LOCALES)]  # type: ignore[valid-type]
DEVICE_ID = r"^dev_[0-9a-f]{26}$"
#: E.164: a plus, the country code and the number, 8 to 15 digits in all.
Phone = Annotated[
    str, Field(pattern=r"^\+[1-9][0-9]{7,14}$", description="E.164, such as +5511987654321")
]
WallClock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]


class NotificationOut(BaseModel):
    notificationId: NotificationId
    kind: str = Field(description="What it is about: order_placed, shipped, chat_message...")
    category: Category
    urgent: bool
    title: str
    text: str
    link: str | None = Field(None, description="The path it is about, such as /orders/<id>")
    createdAt: str
    readAt: str | None = None


class UnreadCounts(BaseModel):
    total: int
    byCategory: dict[str, int] = Field(description="Unread messages per category (none: left out)")


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: UnreadCounts
    nextCursor: str | None = None


class NotificationDeliveryOut(BaseModel):
    channel: Channel
    status: Literal["PENDING", "DEFERRED", "SENDING", "SENT", "SKIPPED", "FAILED"]
    attempts: int
    dueAt: str = Field(description="When it may be sent (quiet hours defer it)")
    sentAt: str | None = None
    lastError: str | None = None


class NotificationDetail(NotificationOut):
    deliveries: list[NotificationDeliveryOut] = Field(
        description="The delivery log, one line per channel"
    )


class NotificationsReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Category | None = Field(None, description="Only this category's messages")


class NotificationsReadOut(BaseModel):
    marked: int
    unread: UnreadCounts


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: WallClock
    end: WallClock


class NotificationCategoryOut(BaseModel):
    description: str
    transactional: bool = Field(description="About your orders: e-mail and inbox stay on")
    channels: dict[str, bool]


class NotificationPreferencesOut(BaseModel):
    locale: Locale
    timeZone: str
    quietHours: QuietHours | None = Field(
        description="Non-urgent messages wait until they end (the inbox never waits)"
    )
    phone: str | None = None
    categories: dict[str, NotificationCategoryOut]


class NotificationPreferencesIn(BaseModel):
    """What to change; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")
    locale: Locale | None = None
    timeZone: (
        Annotated[str, Field(min_length=1, max_length=64, examples=["America/Sao_Paulo"])] | None
    ) = None
    quietHours: QuietHours | None = Field(None, description="null turns quiet hours off")
    phone: Phone | None = Field(None, description="For SMS; null removes it")
    categories: dict[Category, dict[Channel, bool]] | None = None


class PushDeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: Literal["FCM", "APNS"]
    token: Annotated[
        str,
        Field(
            min_length=8,
            max_length=4096,
            pattern=r"^[A-Za-z0-9_:\-\.]+$",
            description="The FCM registration token or the APNS device token",
        ),
    ]


class PushDeviceOut(BaseModel):
    deviceId: str
    platform: str
    createdAt: str


class PushDeviceList(BaseModel):
    devices: list[PushDeviceOut]
