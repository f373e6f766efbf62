"""Notification API: routes only (shapes in ``schemas``, use cases in ``service``).

The caller's inbox (``GET /me/notifications``, paged, newest first, with unread counts;
one message with its delivery log; mark read, one or all), their notification preferences
(locale, time zone, quiet hours, phone for SMS, channels per category) and the devices
registered for push.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from notifications import service
from notifications.schemas import (
    DEVICE_ID,
    Category,
    NotificationDetail,
    NotificationOut,
    NotificationPage,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
    NotificationsReadIn,
    NotificationsReadOut,
    PushDeviceIn,
    PushDeviceList,
    PushDeviceOut,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require

app = create_app()
NotificationIdPath = Annotated[str, Path(pattern=ids.pattern("ntf"))]


def _device_out(device) -> PushDeviceOut:
    return PushDeviceOut(**service.device_view(device))


@app.get("/me/notifications", tags=["notifications"], summary="Your inbox", security=bearer())
def my_notifications(
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
    category: Annotated[Category | None, Query(description="Only this category")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=600, description="From a previous page")] = (
        None
    ),
) -> NotificationPage:
    """Newest first, with the unread counts (in all and per category)."""
    page = service.inbox(require(app).id, unread, category, cursor, limit)
    return NotificationPage(
        items=[NotificationOut(**service.note_view(n)) for n in page["items"]],
        unread=page["unread"],
        nextCursor=page["nextCursor"],
    )


@app.get(
    "/me/notifications/<notificationId>",
    tags=["notifications"],
    summary="A message and its delivery log",
    security=bearer(),
)
def read_notification(notificationId: NotificationIdPath) -> NotificationDetail:
    """404 NOTIFICATION_NOT_FOUND when it is not the caller's."""
    note, deliveries = service.message(require(app).id, notificationId)
    return NotificationDetail(
        **service.note_view(note), deliveries=[service.delivery_view(d) for d in deliveries]
    )


@app.post(
    "/me/notifications/<notificationId>/read",
    tags=["notifications"],
    summary="Mark a message read",
    security=bearer(),
)
def mark_read(notificationId: NotificationIdPath) -> NotificationOut:
    """Idempotent: a message read already keeps its first read time."""
    return NotificationOut(**service.note_view(service.mark_read(require(app).id, notificationId)))


@app.post(
    "/me/notifications/read",
    tags=["notifications"],
    summary="Mark every message read (of a category)",
    security=bearer(),
)
def mark_all_read(body: NotificationsReadIn) -> NotificationsReadOut:
    caller = require(app)
    marked = service.mark_all_read(caller.id, body.category)
    return NotificationsReadOut(marked=marked, unread=service.unread_counts(caller.id))


@app.get(
    "/me/notification-preferences",
    tags=["notifications"],
    summary="Your notification preferences",
    security=bearer(),
)
def my_preferences() -> NotificationPreferencesOut:
    return NotificationPreferencesOut(
        **service.preferences_view(service.preferences(require(app).id))
    )


@app.patch(
    "/me/notification-preferences",
    tags=["notifications"],
    summary="Change your notification preferences",
    security=bearer(),
)
def change_preferences(body: NotificationPreferencesIn) -> NotificationPreferencesOut:
    """What the body leaves out stays. 422 TRANSACTIONAL_REQUIRED (e-mail or the inbox of a
    transactional category switched off), PHONE_REQUIRED (SMS without a phone),
    TIME_ZONE_UNKNOWN, QUIET_HOURS_INVALID; 409 PREFERENCES_CHANGED."""
    changes = body.model_dump(exclude_unset=True)
    prefs = service.change_preferences(require(app).id, changes)
    return NotificationPreferencesOut(**service.preferences_view(prefs))


@app.post(
    "/me/devices",
    tags=["notifications"],
    summary="Register a device for push notifications",
    security=bearer(),
    responses=answers(201, PushDeviceOut),
)
def register_device(body: PushDeviceIn) -> Response[PushDeviceOut]:
    """The same token again answers 200 with the device registered before. 409
    PUSH_NOT_CONFIGURED, 422 DEVICE_TOKEN_INVALID."""
    device, created = service.register_device(require(app).id, body.platform, body.token)
    return Response(201 if created else 200, "application/json", _device_out(device))


@app.get("/me/devices", tags=["notifications"], summary="Your devices", security=bearer())
def my_devices() -> PushDeviceList:
    return PushDeviceList(devices=[_device_out(d) for d in service.devices(require(app).id)])


@app.delete(
    "/me/devices/<deviceId>",
    tags=["notifications"],
    summary="Stop push notifications to a device",
    security=bearer(),
    responses=answers(204),
)
def forget_device(deviceId: Annotated[str, Path(pattern=DEVICE_ID)]) -> Response[None]:
    service.forget_device(require(app).id, deviceId)
    return Response(204, None, None)


handler = lambda_handler(app)
