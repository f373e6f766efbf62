"""The chat functions' settings (functions/chat/template.yaml), read at cold start."""

from pydantic import PositiveInt

from titan.settings import Settings


class ChatSettings(Settings):
    #: Messages one account may send a minute, in all its conversations.
    chat_messages_per_minute: PositiveInt = 30
    #: A seller's answer within this many hours of a buyer's question counts as a response
    #: (the response rate's window).
    chat_response_hours: PositiveInt = 12
    #: Where chat attachments are uploaded (presigned POST), under ``uploads/<accountId>/``.
    chat_attachments_bucket: str | None = None
    #: The WebSocket API's callback URL (``https://<api>.execute-api.<region>.amazonaws.com/
    #: <stage>``) for the ``@connections`` API; unused when ``AWS_ENDPOINT_URL`` is set.
    websocket_callback_url: str | None = None


SETTINGS = ChatSettings.from_environment()
