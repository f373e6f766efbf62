import { Alert, Button, Card, Grid, NumberInput, Select, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { PageTitle, ProblemAlert } from "../../components/common";
import { money } from "../../format";

function CouponForm() {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { code: "", type: "percentage", value: 10, minOrderValue: 0, usageLimit: 1000, perCustomerLimit: 1 } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => ok(api().POST("/admin/coupons", {
      body: {
        code: v.code, type: v.type as "percentage", currency: "BRL",
        value: v.type === "percentage" ? Math.round(v.value * 100) : v.type === "fixed_amount" ? Math.round(v.value * 100) : 0,
        minOrderValue: v.minOrderValue ? Math.round(v.minOrderValue * 100) : null,
        usageLimit: v.usageLimit || null, perCustomerLimit: v.perCustomerLimit || null,
      },
    })),
  });
  return (
    <Card withBorder component="form" onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Title order={2} size="h4" mb="xs">{t("New coupon")}</Title>
      <Grid gap="xs">
        <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label={t("Code")} required {...form.getInputProps("code")} onChange={(e) => form.setFieldValue("code", e.currentTarget.value.toUpperCase())} /></Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <Select label={t("Kind")} allowDeselect={false} data={[{ value: "percentage", label: t("Percentage") }, { value: "fixed_amount", label: t("Fixed amount (R$)") }, { value: "free_shipping", label: t("Free shipping") }]} {...form.getInputProps("type")} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}><NumberInput label={form.values.type === "percentage" ? t("Percent off") : t("Amount off (R$)")} disabled={form.values.type === "free_shipping"} {...form.getInputProps("value")} /></Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}><NumberInput label={t("Minimum order (R$)")} min={0} {...form.getInputProps("minOrderValue")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}><NumberInput label={t("Uses in all")} min={1} {...form.getInputProps("usageLimit")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}><NumberInput label={t("Uses per customer")} min={1} {...form.getInputProps("perCustomerLimit")} /></Grid.Col>
      </Grid>
      <ProblemAlert error={create.error} />
      {create.data && <Alert color="green" mt="xs">{t("Coupon {{code}} created", { code: create.data.code })}</Alert>}
      <Button type="submit" mt="sm" loading={create.isPending}>{t("Create coupon")}</Button>
    </Card>
  );
}

function local(minutesFromNow: number): string {
  const d = new Date(Date.now() + minutesFromNow * 60_000);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function FlashSaleForm() {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { productId: "", sellerId: "", skuId: "", salePrice: 0, quantity: 20, perCustomerLimit: 1, startsAt: local(1), endsAt: local(61) } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => ok(api().POST("/admin/flash-sales", {
      body: {
        productId: v.productId, sellerId: v.sellerId, skuId: v.skuId || null, salePrice: Math.round(v.salePrice * 100),
        quantity: v.quantity, perCustomerLimit: v.perCustomerLimit,
        startsAt: new Date(v.startsAt).toISOString(), endsAt: new Date(v.endsAt).toISOString(),
      },
    })),
  });
  return (
    <Card withBorder component="form" onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Title order={2} size="h4" mb="xs">{t("New flash sale")}</Title>
      <Grid gap="xs">
        <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label={t("Product id")} required {...form.getInputProps("productId")} /></Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label={t("Seller id")} required {...form.getInputProps("sellerId")} /></Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label={t("SKU id (a variant)")} {...form.getInputProps("skuId")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}><NumberInput label={t("Sale price (R$)")} min={0.01} decimalScale={2} required {...form.getInputProps("salePrice")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}><NumberInput label={t("Units")} min={1} {...form.getInputProps("quantity")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 4 }}><NumberInput label={t("Per customer")} min={1} {...form.getInputProps("perCustomerLimit")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 6 }}><TextInput type="datetime-local" label={t("Starts")} {...form.getInputProps("startsAt")} /></Grid.Col>
        <Grid.Col span={{ base: 6, sm: 6 }}><TextInput type="datetime-local" label={t("Ends")} {...form.getInputProps("endsAt")} /></Grid.Col>
      </Grid>
      <ProblemAlert error={create.error} />
      {create.data && <Alert color="green" mt="xs">{t("Flash sale of {{title}} at {{price}} created", { title: create.data.title, price: money(create.data.salePrice) })}</Alert>}
      <Button type="submit" mt="sm" loading={create.isPending}>{t("Create flash sale")}</Button>
    </Card>
  );
}

export function Promotions() {
  const { t } = useTranslation();
  return (
    <Stack>
      <PageTitle>{t("Coupons and flash sales")}</PageTitle>
      <CouponForm />
      <FlashSaleForm />
    </Stack>
  );
}
