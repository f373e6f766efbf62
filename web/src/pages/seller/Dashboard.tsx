import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { money, percent } from "../../format";

const PERIODS = { "7": "day", "30": "day", "90": "week", "365": "month" } as const;

function isoDay(date: Date): string {
  // The calendar day in São Paulo, the day the dashboard counts an order in.
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Sao_Paulo" }).format(date);
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={700} fz="lg">{value}</Text>
    </Card>
  );
}

export function Dashboard() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const [days, setDays] = useState<keyof typeof PERIODS>("30");
  const to = new Date();
  const from = new Date(to.getTime() - (Number(days) - 1) * 86_400_000);
  const stats = useQuery({
    queryKey: ["seller-stats", sellerId, days],
    queryFn: () => ok(api().GET("/sellers/{sellerId}/stats", { params: { path: { sellerId }, query: { from: isoDay(from), to: isoDay(to), interval: PERIODS[days] } } })),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <PageTitle>{t("Dashboard")}</PageTitle>
        <SegmentedControl value={days} onChange={(v) => setDays(v as keyof typeof PERIODS)} aria-label={t("Period")}
          data={[{ value: "7", label: t("7 days") }, { value: "30", label: t("30 days") }, { value: "90", label: t("90 days") }, { value: "365", label: t("1 year") }]} />
      </Group>
      {stats.isPending ? <Loading /> : stats.error ? <ProblemAlert error={stats.error} /> : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="stats-figures">
            <Figure label={t("Sales (GMV)")} value={money(stats.data.totals.gmv)} />
            <Figure label={t("Orders")} value={String(stats.data.totals.orders)} />
            <Figure label={t("Average order")} value={money(stats.data.totals.averageOrderValue)} />
            <Figure label={t("Units")} value={String(stats.data.totals.units)} />
            <Figure label={t("Cancellation rate")} value={percent(stats.data.totals.cancellationRate)} />
            <Figure label={t("Return rate")} value={percent(stats.data.totals.returnRate)} />
            <Figure label={t("Late hand-overs")} value={percent(stats.data.totals.lateHandoverRate)} />
            <Figure label={t("Chat response rate")} value={percent(stats.data.totals.responseRate)} />
          </SimpleGrid>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">{t("Sales by period")}</Title>
            <BarChart
              h={240}
              data={stats.data.series.map((p) => ({ period: p.period, GMV: p.gmv / 100, orders: p.orders }))}
              dataKey="period"
              series={[{ name: "GMV", color: "titan.6", label: t("Sales (R$)") }]}
              valueFormatter={(v) => money(Math.round(v * 100))}
            />
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">{t("Top products")}</Title>
            <Table>
              <Table.Thead><Table.Tr><Table.Th>{t("Product")}</Table.Th><Table.Th>{t("Units")}</Table.Th><Table.Th>{t("Sales")}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {stats.data.topProducts.map((p) => (
                  <Table.Tr key={p.productId}><Table.Td>{p.title ?? p.productId}</Table.Td><Table.Td>{p.units}</Table.Td><Table.Td>{money(p.gmv)}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </>
      )}
    </Stack>
  );
}
