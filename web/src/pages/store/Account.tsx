import { Button, Card, Checkbox, Code, Group, Stack, Switch, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok, type Schemas } from "../../api/client";
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

const CHANNELS = ["EMAIL", "SMS", "PUSH", "INBOX"] as const;

/** Which messages come by which channel, the phone for SMS, quiet hours (docs/notifications.md). */
function NotificationSettings() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const settings = useQuery({ queryKey: ["notification-preferences"], queryFn: () => ok(api().GET("/me/notification-preferences")) });
  const save = useMutation({
    mutationFn: (body: Schemas["NotificationPreferencesIn"]) => ok(api().PATCH("/me/notification-preferences", { body })),
    onSuccess: (data) => queries.setQueryData(["notification-preferences"], data),
  });
  const [phone, setPhone] = useState<string | null>(null);
  if (!settings.data) return settings.error ? <ProblemAlert error={settings.error} /> : <Loading />;
  const prefs = settings.data;
  const channels = CHANNELS.filter((c) => Object.values(prefs.categories).some((cat) => c in cat.channels));
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">{t("Notifications")}</Title>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead>
            <Table.Tr><Table.Th>{t("About")}</Table.Th>{channels.map((c) => <Table.Th key={c}>{t(c)}</Table.Th>)}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {Object.entries(prefs.categories).map(([name, category]) => (
              <Table.Tr key={name}>
                <Table.Td><Text size="sm">{category.description}</Text></Table.Td>
                {channels.map((channel) => (
                  <Table.Td key={channel}>
                    {channel in category.channels && (
                      <Checkbox
                        aria-label={`${category.description}: ${t(channel)}`}
                        checked={category.channels[channel]}
                        onChange={(e) => save.mutate({ categories: { [name]: { [channel]: e.currentTarget.checked } } } as Schemas["NotificationPreferencesIn"])}
                      />
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group align="end" mt="sm">
        <TextInput label={t("Phone for SMS")} type="tel" placeholder="+5511987654321" value={phone ?? prefs.phone ?? ""} onChange={(e) => setPhone(e.currentTarget.value)} />
        <Button variant="light" onClick={() => save.mutate({ phone: phone || null })} disabled={phone === null}>{t("Save")}</Button>
      </Group>
      <Switch
        mt="sm"
        label={t("Quiet hours, 22:00 to 08:00 (messages that can wait, wait)")}
        checked={!!prefs.quietHours}
        onChange={(e) => save.mutate({ quietHours: e.currentTarget.checked ? { start: "22:00", end: "08:00" } : null })}
      />
      <ProblemAlert error={save.error} />
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
      <NotificationSettings />
      <TwoFactor />
    </Stack>
  );
}

export function Account() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Account")}><AccountView /></SignedInPage>;
}
