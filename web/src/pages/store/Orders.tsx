import { Anchor, Card, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { useSession } from "../../auth/useSession";
import { Loading, ProblemAlert, SignedInPage, StatusBadge } from "../../components/common";
import { dateTime, money } from "../../format";

function OrderList() {
  const { t } = useTranslation();
  const { claims } = useSession();
  const orders = useQuery({
    queryKey: ["orders", claims?.sub],
    queryFn: () => ok(api().GET("/orders", { params: { query: { customerId: claims!.sub, limit: 50 } } })),
  });
  if (orders.isPending) return <Loading />;
  if (orders.error) return <ProblemAlert error={orders.error} />;
  if (!orders.data.orders.length) return <Text>{t("No orders yet.")}</Text>;
  return (
    <Stack>
      {orders.data.orders.map((o) => (
        <Card key={o.orderId} withBorder data-testid="order-card">
          <Group justify="space-between">
            <Anchor component={Link} to={`/orders/${o.orderId}`} fw={600}>{t("Order {{id}}", { id: o.orderId.slice(-8) })}</Anchor>
            <StatusBadge status={o.status} />
          </Group>
          <Text size="sm" c="dimmed">{dateTime(o.createdAt)} · {t("{{count}} items", { count: o.lines.reduce((n, l) => n + l.quantity, 0) })} · {money(o.totals.total)}</Text>
          <Text size="sm" lineClamp={1}>{o.lines.map((l) => l.title).join(", ")}</Text>
        </Card>
      ))}
    </Stack>
  );
}

export function Orders() {
  const { t } = useTranslation();
  return <SignedInPage title={t("My orders")}><OrderList /></SignedInPage>;
}
