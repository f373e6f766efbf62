import { Alert, Anchor, Button, Card, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { PageTitle, ProblemAlert } from "../../components/common";

/** Forgot the password: the API e-mails a single-use code (always 202, whether or not the
 * address has an account), then the code and a new password end every session. */
export function PasswordReset() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const ask = useMutation({ mutationFn: () => ok(api().POST("/auth/password-reset", { body: { email } })) });
  const confirm = useMutation({ mutationFn: () => ok(api().POST("/auth/password-reset/confirm", { body: { code, password } })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ask.isSuccess) confirm.mutate();
    else ask.mutate();
  };
  return (
    <Card withBorder maw={420} mx="auto" mt="lg">
      <PageTitle>{t("Reset your password")}</PageTitle>
      {confirm.isSuccess ? (
        <Alert color="green">
          {t("Password changed: sign in with the new one.")} <Anchor component={Link} to="/sign-in">{t("Sign in")}</Anchor>
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput label={t("E-mail")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} disabled={ask.isSuccess} />
            {ask.isSuccess && (
              <>
                <Text size="sm">{t("If the address has an account, a code is on its way: it works once, for 30 minutes.")}</Text>
                <TextInput label={t("Code from the e-mail")} autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.currentTarget.value)} />
                <PasswordInput label={t("New password")} autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              </>
            )}
            <ProblemAlert error={ask.error ?? confirm.error} />
            <Button type="submit" loading={ask.isPending || confirm.isPending}>{ask.isSuccess ? t("Change password") : t("Send me a code")}</Button>
          </Stack>
        </form>
      )}
    </Card>
  );
}

/** The code the sign-up e-mail carries. */
export function VerifyEmail() {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const verify = useMutation({ mutationFn: () => ok(api().POST("/auth/verify-email", { body: { code } })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate();
  };
  return (
    <Card withBorder maw={420} mx="auto" mt="lg">
      <PageTitle>{t("Confirm your e-mail")}</PageTitle>
      {verify.isSuccess ? (
        <Alert color="green">{t("Your e-mail is confirmed.")}</Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput label={t("Code from the e-mail")} autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.currentTarget.value)} />
            <ProblemAlert error={verify.error} />
            <Button type="submit" loading={verify.isPending}>{t("Confirm")}</Button>
          </Stack>
        </form>
      )}
    </Card>
  );
}
