import { ActionIcon, Alert, Button, Card, Group, NumberInput, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { useCart } from "../../components/Layout";
import { money } from "../../format";

function CartLines() {
  const { t } = useTranslation();
  const cart = useCart();
  const queries = useQueryClient();
  const refresh = () => queries.invalidateQueries({ queryKey: ["cart"] });
  const change = useMutation({
    mutationFn: ({ lineId, quantity }: { lineId: string; quantity: number }) =>
      ok(api().PATCH("/cart/items/{lineId}", { params: { path: { lineId } }, body: { quantity } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (lineId: string) => ok(api().DELETE("/cart/items/{lineId}", { params: { path: { lineId } } })),
    onSettled: refresh,
  });
  if (cart.isPending) return <Loading />;
  if (cart.error) return <ProblemAlert error={cart.error} />;
  const { lines, subtotal, freight, total } = cart.data;
  if (!lines.length)
    return (
      <Text>
        {t("Your cart is empty.")} <Link to="/">{t("Keep shopping")}</Link>
      </Text>
    );
  const unavailable = lines.some((l) => !l.available);
  return (
    <Stack>
      <ProblemAlert error={change.error ?? remove.error} />
      <Table.ScrollContainer minWidth={520}>
        <Table data-testid="cart-lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("Product")}</Table.Th>
              <Table.Th>{t("Unit price")}</Table.Th>
              <Table.Th>{t("Quantity")}</Table.Th>
              <Table.Th>{t("Total")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((line) => (
              <Table.Tr key={line.lineId} data-testid="cart-line">
                <Table.Td>
                  <Link to={`/products/${line.productId}`}>{line.title ?? line.productId}</Link>
                  {!line.available && <Text size="xs" c="red">{t(line.unavailableReason ?? "UNAVAILABLE")}</Text>}
                </Table.Td>
                <Table.Td>{money(line.unitPrice)}</Table.Td>
                <Table.Td>
                  <NumberInput
                    aria-label={t("Quantity of {{title}}", { title: line.title })}
                    value={line.quantity}
                    min={1}
                    max={99}
                    w={90}
                    onBlur={(e) => {
                      const quantity = Number(e.currentTarget.value);
                      if (quantity >= 1 && quantity !== line.quantity) change.mutate({ lineId: line.lineId, quantity });
                    }}
                  />
                </Table.Td>
                <Table.Td>{money(line.lineTotal)}</Table.Td>
                <Table.Td>
                  <ActionIcon variant="subtle" color="red" aria-label={t("Remove {{title}}", { title: line.title })} onClick={() => remove.mutate(line.lineId)}>
                    ✕
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Card withBorder maw={360} ml="auto" w="100%">
        <Group justify="space-between"><Text>{t("Subtotal")}</Text><Text>{money(subtotal)}</Text></Group>
        <Group justify="space-between"><Text>{t("Shipping")}</Text><Text>{money(freight)}</Text></Group>
        <Group justify="space-between"><Text fw={700}>{t("Total")}</Text><Text fw={700} data-testid="cart-total">{money(total)}</Text></Group>
        {unavailable && <Alert color="yellow" mt="sm">{t("Remove the unavailable items to check out.")}</Alert>}
        <Button component={Link} to="/checkout" mt="md" disabled={unavailable} fullWidth>
          {t("Check out")}
        </Button>
      </Card>
    </Stack>
  );
}

export function Cart() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Cart")}><CartLines /></SignedInPage>;
}
