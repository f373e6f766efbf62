import { Badge, Button, Card, Group, Paper, ScrollArea, SegmentedControl, Stack, Text, Textarea } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, newKey, ok, type Schemas } from "../../api/client";
import { freshAccessToken } from "../../auth/session";
import { useSession } from "../../auth/useSession";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { config } from "../../config";
import { dateTime } from "../../format";

type Message = Schemas["MessageOut"];

/** The chat's WebSocket (docs/chat.md): the access token in the `token` query parameter (a
 * browser cannot set headers on a WebSocket), frames `{type: "message" | "sent" | ...}`.
 * Reconnects after a drop, waiting 1, 2, 4... s (at most 30 s). */
function useChatSocket(onFrame: (frame: { type: string; message?: Message }) => void) {
  const socket = useRef<WebSocket | null>(null);
  const handler = useRef(onFrame);
  handler.current = onFrame;
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      const url = config().webSocketUrl;
      const token = await freshAccessToken();
      if (!url || !token || closed) return;
      const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
      socket.current = ws;
      ws.onopen = () => {
        attempt = 0;
        setOpen(true);
      };
      ws.onmessage = (event) => handler.current(JSON.parse(event.data as string));
      ws.onclose = () => {
        setOpen(false);
        if (!closed) timer = setTimeout(connect, Math.min(30_000, 1000 * 2 ** attempt++));
      };
    };
    void connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      socket.current?.close();
    };
  }, []);
  const send = (frame: object) => {
    if (socket.current?.readyState !== WebSocket.OPEN) return false;
    socket.current.send(JSON.stringify(frame));
    return true;
  };
  return { open, send };
}

function Conversation({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const { claims } = useSession();
  const [text, setText] = useState("");
  const [live, setLive] = useState<Message[]>([]);
  const [error, setError] = useState<unknown>(null);
  const history = useQuery({
    queryKey: ["messages", conversationId],
    queryFn: () => ok(api().GET("/conversations/{conversationId}/messages", { params: { path: { conversationId }, query: { limit: 50 } } })),
  });
  const conversation = useQuery({
    queryKey: ["conversation", conversationId],
    queryFn: () => ok(api().GET("/conversations/{conversationId}", { params: { path: { conversationId } } })),
  });
  const socket = useChatSocket((frame) => {
    const message = frame.message;
    if ((frame.type === "message" || frame.type === "sent") && message?.conversationId === conversationId) {
      setLive((now) => (now.some((m) => m.messageId === message.messageId) ? now : [...now, message]));
    } else if (frame.type === "error") {
      setError(frame);
    }
  });
  const seen = new Set<string>();
  const messages = [...(history.data?.items ?? []).slice().reverse(), ...live].filter((m) => !seen.has(m.messageId) && seen.add(m.messageId));
  const last = messages.at(-1);
  useEffect(() => {
    if (last && last.senderId !== claims?.sub) {
      void api().POST("/conversations/{conversationId}/read", { params: { path: { conversationId } }, body: { messageId: last.messageId } });
    }
  }, [last?.messageId, last, claims?.sub, conversationId]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    const clientMessageId = newKey();
    setText("");
    setError(null);
    if (socket.send({ action: "sendMessage", conversationId, text: body, clientMessageId })) return;
    try {
      const sent = await ok(api().POST("/conversations/{conversationId}/messages", { params: { path: { conversationId } }, body: { text: body, clientMessageId } }));
      setLive((now) => [...now, sent]);
    } catch (problem) {
      setError(problem);
    }
  };
  if (history.isPending) return <Loading />;
  if (history.error) return <ProblemAlert error={history.error} />;
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={600}>{conversation.data?.title ?? t("Conversation")}</Text>
        <Badge color={socket.open ? "green.9" : "gray.7"} data-testid="socket-state">{socket.open ? t("Live") : t("Offline")}</Badge>
      </Group>
      <ScrollArea h={380} type="auto">
        <Stack gap="xs" role="log" aria-live="polite" aria-label={t("Messages")} data-testid="messages">
          {messages.map((m) => {
            const mine = m.senderId === claims?.sub;
            return (
              <Paper key={m.messageId} p="xs" withBorder maw="80%" ml={mine ? "auto" : 0} bg={mine ? "titan.0" : undefined} data-testid="message">
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{m.text}</Text>
                <Text size="xs" c="dimmed">{dateTime(m.createdAt)}{m.masked.length ? ` · ${t("contact details hidden")}` : ""}</Text>
              </Paper>
            );
          })}
        </Stack>
      </ScrollArea>
      <ProblemAlert error={error} title={t("Not sent")} />
      <form onSubmit={send}>
        <Group align="end">
          <Textarea label={t("Message")} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={1} maxLength={2000} style={{ flex: 1 }} />
          <Button type="submit" disabled={!text.trim()}>{t("Send")}</Button>
        </Group>
      </form>
    </Stack>
  );
}

function Conversations() {
  const { t } = useTranslation();
  const { sellerId } = useSession();
  const [role, setRole] = useState<"buyer" | "seller">("buyer");
  const list = useQuery({
    queryKey: ["conversations", role],
    queryFn: () => ok(api().GET("/me/conversations", { params: { query: { role, limit: 50 } } })),
    refetchOnMount: "always", // back from a conversation: its unread count changed
  });
  return (
    <Stack>
      {sellerId && (
        <SegmentedControl value={role} onChange={(v) => setRole(v as typeof role)} aria-label={t("Conversations as")}
          data={[{ value: "buyer", label: t("As a buyer") }, { value: "seller", label: t("With my shop's buyers") }]} />
      )}
      {list.isPending ? <Loading /> : list.error ? <ProblemAlert error={list.error} /> : (
        <>
          {!list.data.items.length && <Text>{t("No conversation yet: ask a seller from a product's page.")}</Text>}
          {list.data.items.map((c) => (
            <Card key={c.conversationId} withBorder component={Link} to={`/chat/${c.conversationId}`} data-testid="conversation">
              <Group justify="space-between">
                <Text fw={600}>{c.title ?? c.subject.id}</Text>
                {!!c.unread && <Badge color="red.9">{c.unread}</Badge>}
              </Group>
              <Text size="sm" lineClamp={1}>{c.lastMessage}</Text>
              <Text size="xs" c="dimmed">{dateTime(c.lastMessageAt)}</Text>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}

export function Chat() {
  const { t } = useTranslation();
  const { conversationId } = useParams();
  return (
    <SignedInPage title={t("Chat")}>
      {conversationId ? <Conversation conversationId={conversationId} /> : <Conversations />}
    </SignedInPage>
  );
}
