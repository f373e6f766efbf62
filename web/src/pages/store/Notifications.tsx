import { Anchor, Badge, Button, Card, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { dateTime } from "../../format";

/** A notification's link is an API path (`/orders/{id}`); the site's page for it, when one. */
function pageOf(link: string | null | undefined): string | null {
  if (!link) return null;
  const match = link.match(/^\/(orders|products|flash-sales)\/[^/]+$/);
  return match ? `#${link}` : null;
}

function Inbox() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const inbox = useQuery({ queryKey: ["notifications"], queryFn: () => ok(api().GET("/me/notifications", { params: { query: { limit: 50 } } })) });
  const readAll = useMutation({
    mutationFn: () => ok(api().POST("/me/notifications/read", { body: {} })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["notifications"] }),
  });
  if (inbox.isPending) return <Loading />;
  if (inbox.error) return <ProblemAlert error={inbox.error} />;
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm">{t("{{count}} unread", { count: inbox.data.unread.total })}</Text>
        <Button size="xs" variant="light" onClick={() => readAll.mutate()} disabled={!inbox.data.unread.total}>{t("Mark all as read")}</Button>
      </Group>
      {!inbox.data.items.length && <Text>{t("Nothing here yet.")}</Text>}
      {inbox.data.items.map((n) => {
        const page = pageOf(n.link);
        return (
          <Card key={n.notificationId} withBorder bg={n.readAt ? undefined : "titan.0"}>
            <Group justify="space-between">
              <Text fw={600}>{n.title}</Text>
              <Group gap="xs">
                {n.urgent && <Badge color="red.9">{t("Urgent")}</Badge>}
                <Text size="xs" c="dimmed">{dateTime(n.createdAt)}</Text>
              </Group>
            </Group>
            <Text size="sm">{n.text}</Text>
            {page && <Anchor href={page} size="sm">{t("Open")}</Anchor>}
          </Card>
        );
      })}
    </Stack>
  );
}

export function Notifications() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Notifications")}><Inbox /></SignedInPage>;
}
