import { Avatar, Button, Card, FileInput, Group, NumberInput, Stack, Switch, Table, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { IMAGE_TYPES, imageType, uploadTo, type UploadForm } from "../../api/upload";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert, StatusBadge } from "../../components/common";
import { dateTime, money } from "../../format";

export function ShopProfile() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const queries = useQueryClient();
  const shop = useQuery({ queryKey: ["my-shop", sellerId], queryFn: () => ok(api().GET("/sellers/{sellerId}/shop", { params: { path: { sellerId } } })) });
  const [description, setDescription] = useState("");
  const [vacation, setVacation] = useState(false);
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (shop.data) {
      setDescription(shop.data.description ?? "");
      setVacation(shop.data.onVacation);
      setMessage(shop.data.vacationMessage ?? "");
    }
  }, [shop.data]);
  const logo = useMutation({
    mutationFn: async (file: File) => {
      const form = await ok(api().POST("/shops/{slug}/logo", { params: { path: { slug: shop.data!.slug } }, body: { contentType: imageType(file) } }));
      const key = await uploadTo(form as UploadForm, file);
      return ok(api().PATCH("/shops/{slug}", { params: { path: { slug: shop.data!.slug } }, body: { logo: key } }));
    },
    onSuccess: (data) => queries.setQueryData(["my-shop", sellerId], data),
  });
  const save = useMutation({
    mutationFn: () => ok(api().PATCH("/shops/{slug}", {
      params: { path: { slug: shop.data!.slug } },
      body: { description, vacation: vacation !== shop.data!.onVacation || message !== (shop.data!.vacationMessage ?? "") ? { onVacation: vacation, message: message || null } : null },
    })),
    onSuccess: (data) => queries.setQueryData(["my-shop", sellerId], data),
  });
  if (shop.isPending) return <Loading />;
  if (shop.error) return <ProblemAlert error={shop.error} />;
  return (
    <Card withBorder maw={680}>
      <PageTitle>{shop.data.name}</PageTitle>
      <Text size="sm"><Link to={`/shops/${shop.data.slug}`}>{t("See my shop's page")}</Link></Text>
      <Stack mt="md">
        <Group align="end">
          <Avatar src={shop.data.logoUrl} alt="" size="lg" radius="md">{shop.data.name.slice(0, 2)}</Avatar>
          <FileInput label={t("Logo")} description={t("JPEG, PNG or WebP, up to 5 MB")} accept={IMAGE_TYPES.join(",")} onChange={(file) => file && logo.mutate(file)} w={260} />
        </Group>
        <ProblemAlert error={logo.error} title={t("Logo not changed")} />
        <Textarea label={t("Description")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={3} />
        <Switch label={t("On vacation (buyers cannot buy while it is on)")} checked={vacation} onChange={(e) => setVacation(e.currentTarget.checked)} />
        {vacation && <TextInput label={t("Message to buyers")} value={message} onChange={(e) => setMessage(e.currentTarget.value)} />}
        <ProblemAlert error={save.error} />
        <Button w="fit-content" onClick={() => save.mutate()} loading={save.isPending}>{t("Save")}</Button>
      </Stack>
    </Card>
  );
}

export function Balance() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const queries = useQueryClient();
  const [amount, setAmount] = useState<number>(0);
  const path = { params: { path: { sellerId } } };
  const balance = useQuery({ queryKey: ["balance", sellerId], queryFn: () => ok(api().GET("/sellers/{sellerId}/balance", path)) });
  const payouts = useQuery({ queryKey: ["payouts", sellerId], queryFn: () => ok(api().GET("/sellers/{sellerId}/payouts", path)) });
  const request = useMutation({
    mutationFn: () => ok(api().POST("/sellers/{sellerId}/payouts", { ...path, body: { amount: Math.round(amount * 100) } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["balance", sellerId] });
      void queries.invalidateQueries({ queryKey: ["payouts", sellerId] });
    },
  });
  if (balance.isPending) return <Loading />;
  if (balance.error) return <ProblemAlert error={balance.error} />;
  return (
    <Stack>
      <PageTitle>{t("Balance")}</PageTitle>
      <Card withBorder>
        <Text size="sm">{t("Available to withdraw (released from escrow)")}</Text>
        <Text fz={28} fw={800}>{money(balance.data.available)}</Text>
        <Group align="end" mt="sm">
          <NumberInput label={t("Amount (R$)")} value={amount} onChange={(v) => setAmount(Number(v))} min={0} decimalScale={2} decimalSeparator="," thousandSeparator="." />
          <Button onClick={() => request.mutate()} loading={request.isPending} disabled={amount <= 0}>{t("Request payout")}</Button>
        </Group>
        <ProblemAlert error={request.error} />
      </Card>
      <Title order={2} size="h4">{t("Payouts")}</Title>
      <Table>
        <Table.Tbody>
          {(payouts.data?.payouts ?? []).map((p) => (
            <Table.Tr key={p.payoutId}><Table.Td>{dateTime(p.requestedAt)}</Table.Td><Table.Td>{money(p.amount)}</Table.Td><Table.Td><StatusBadge status={p.status} /></Table.Td></Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
