import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { Countdown } from "../../components/Countdown";
import { money } from "../../format";

function LiveSales() {
  const { t } = useTranslation();
  const sales = useQuery({
    queryKey: ["flash-sales", "live"],
    queryFn: () => ok(api().GET("/flash-sales")),
    refetchInterval: 10_000,
  });
  if (sales.error) return <ProblemAlert error={sales.error} />;
  const list = (sales.data?.sales ?? []).filter((s) => s.phase !== "ENDED");
  if (!list.length) return null;
  return (
    <section aria-labelledby="flash-title">
      <Title order={2} id="flash-title" mb="sm">
        ⚡ {t("Flash sales")}
      </Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} mb="xl">
        {list.map((sale) => (
          <Card key={sale.saleId} withBorder component={Link} to={`/flash-sales/${sale.saleId}`} data-testid="flash-sale-card">
            <Text fw={600} lineClamp={2}>{sale.title}</Text>
            <Group gap="xs" mt="xs">
              <Text fw={700} c="titan.7">{money(sale.salePrice)}</Text>
              <Text td="line-through" c="dimmed" size="sm">{money(sale.listPrice)}</Text>
            </Group>
            <Group justify="space-between" mt="xs">
              <Badge color={sale.phase === "ACTIVE" ? "red.9" : "gray.7"}>{t(sale.phase)}</Badge>
              <Countdown sale={sale} />
            </Group>
            <Text size="sm" c="dimmed">{t("{{count}} left", { count: sale.remaining })}</Text>
          </Card>
        ))}
      </SimpleGrid>
    </section>
  );
}

export function Home() {
  const { t } = useTranslation();
  const tree = useQuery({ queryKey: ["categories"], queryFn: () => ok(api().GET("/categories")), staleTime: 300_000 });
  return (
    <Stack>
      <PageTitle>{t("Titan Commerce: many shops, one cart")}</PageTitle>
      <LiveSales />
      <section aria-labelledby="departments-title">
        <Title order={2} id="departments-title" mb="sm">{t("Departments")}</Title>
        {tree.isPending ? <Loading /> : tree.error ? <ProblemAlert error={tree.error} /> : (
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
            {tree.data.departments.map((department) => (
              <Card key={department.id} withBorder>
                <Anchor component={Link} to={`/search?department=${department.id}`} fw={600}>
                  {t(department.name)}
                </Anchor>
                <Text size="xs" c="dimmed">{t("{{count}} products", { count: department.productCount })}</Text>
                <Stack gap={2} mt="xs">
                  {(department.categories as { id: string; name: string }[]).slice(0, 5).map((c) => (
                    <Anchor key={c.id} component={Link} to={`/search?category=${c.id}`} size="sm">
                      {c.name}
                    </Anchor>
                  ))}
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </section>
    </Stack>
  );
}
