import { Button, Card, Code, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { AddressForm } from "./Addresses";

function TwoFactor() {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const setup = useMutation({ mutationFn: () => ok(api().POST("/me/mfa/totp")) });
  const confirm = useMutation({ mutationFn: () => ok(api().POST("/me/mfa/totp/confirm", { body: { code } })) });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">{t("Two-step sign-in")}</Title>
      {confirm.isSuccess ? (
        <Text c="green">{t("Two-step sign-in is on: sign-ins will ask for a code.")}</Text>
      ) : setup.data ? (
        <Stack gap="xs">
          <Text size="sm">{t("Add this key to your authenticator app, then type the code it shows.")}</Text>
          <Code data-testid="totp-secret">{setup.data.secret}</Code>
          <Group align="end">
            <TextInput label={t("Code")} value={code} onChange={(e) => setCode(e.currentTarget.value)} inputMode="numeric" autoComplete="one-time-code" />
            <Button onClick={() => confirm.mutate()} loading={confirm.isPending}>{t("Turn on")}</Button>
          </Group>
        </Stack>
      ) : (
        <Button variant="light" w="fit-content" onClick={() => setup.mutate()} loading={setup.isPending}>{t("Set up")}</Button>
      )}
      <ProblemAlert error={setup.error ?? confirm.error} />
    </Card>
  );
}

function AccountView() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: () => ok(api().GET("/me")) });
  const addresses = useQuery({ queryKey: ["addresses"], queryFn: () => ok(api().GET("/me/addresses")) });
  const remove = useMutation({
    mutationFn: (addressId: string) => ok(api().DELETE("/me/addresses/{addressId}", { params: { path: { addressId } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["addresses"] }),
  });
  if (me.isPending) return <Loading />;
  if (me.error) return <ProblemAlert error={me.error} />;
  return (
    <Stack>
      <Card withBorder>
        <Text fw={600}>{me.data.name}</Text>
        <Text size="sm">{me.data.email}</Text>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">{t("Addresses")}</Title>
        <Stack gap="xs">
          {(addresses.data?.items ?? []).map((a) => (
            <Group key={a.addressId} justify="space-between">
              <Text size="sm">{a.recipientName}: {a.street}, {a.number}, {a.city}/{a.state} {a.isDefault ? `(${t("default")})` : ""}</Text>
              <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(a.addressId)}>{t("Remove")}</Button>
            </Group>
          ))}
          <AddressForm onSaved={() => undefined} />
        </Stack>
      </Card>
      <TwoFactor />
    </Stack>
  );
}

export function Account() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Account")}><AccountView /></SignedInPage>;
}
