import { Button, Card, Group, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { dateTime, money, parseReais } from "../../format";

function WalletView() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const wallet = useQuery({ queryKey: ["wallet"], queryFn: () => ok(api().GET("/wallet")) });
  const transactions = useQuery({ queryKey: ["wallet", "transactions"], queryFn: () => ok(api().GET("/wallet/transactions", { params: { query: { limit: 50 } } })) });
  const [amount, setAmount] = useState("");
  const [card, setCard] = useState("");
  const topUp = useMutation({
    mutationFn: () => ok(api().POST("/wallet/top-ups", { body: { amount: parseReais(amount) ?? 0, card: { number: card.replace(/\D/g, "") } } })),
    onSuccess: () => {
      setAmount("");
      void queries.invalidateQueries({ queryKey: ["wallet"] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    topUp.mutate();
  };
  if (wallet.isPending) return <Loading />;
  if (wallet.error) return <ProblemAlert error={wallet.error} />;
  return (
    <Stack>
      <Card withBorder>
        <Text size="sm">{t("Balance")}</Text>
        <Text fz={28} fw={800} data-testid="wallet-balance">{money(wallet.data.balance)}</Text>
      </Card>
      <Card withBorder component="form" onSubmit={submit}>
        <Title order={2} size="h4" mb="xs">{t("Add money")}</Title>
        <Group align="end">
          <TextInput label={t("Amount (R$)")} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} inputMode="decimal" error={amount && parseReais(amount) === null ? t("An amount like 50,00") : null} />
          <TextInput label={t("Card number")} value={card} onChange={(e) => setCard(e.currentTarget.value)} inputMode="numeric" autoComplete="cc-number" />
          <Button type="submit" loading={topUp.isPending} disabled={!parseReais(amount) || !card}>{t("Add")}</Button>
        </Group>
        <ProblemAlert error={topUp.error} />
      </Card>
      <Title order={2} size="h4">{t("Transactions")}</Title>
      <Table.ScrollContainer minWidth={360}>
        <Table>
          <Table.Tbody>
            {(transactions.data?.transactions ?? []).map((x) => (
              <Table.Tr key={x.txnId}>
                <Table.Td>{dateTime(x.postedAt)}</Table.Td>
                <Table.Td>{t(x.kind)}</Table.Td>
                <Table.Td ta="right">{money(x.amount)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function Wallet() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Wallet")}><WalletView /></SignedInPage>;
}
