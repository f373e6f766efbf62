import { Anchor, Button, Card, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, ok } from "../../api/client";
import { isProblem } from "../../api/problem";
import { store } from "../../auth/session";
import { PageTitle, ProblemAlert } from "../../components/common";

function useAfterSignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  return () => {
    queries.clear();
    const next = params.get("next");
    navigate(next && next.startsWith("/") ? next : "/");
  };
}

export function SignIn() {
  const { t } = useTranslation();
  const done = useAfterSignIn();
  const [mfa, setMfa] = useState(false);
  const form = useForm({ initialValues: { email: "", password: "", totpCode: "" } });
  const login = useMutation({
    mutationFn: (v: typeof form.values) =>
      ok(api().POST("/auth/login", { body: { email: v.email, password: v.password, totpCode: v.totpCode || null } })),
    onSuccess: (tokens) => {
      store(tokens);
      done();
    },
    onError: (error) => {
      if (isProblem(error, "MFA_REQUIRED")) setMfa(true);
    },
  });
  const [params] = useSearchParams();
  return (
    <Card withBorder maw={420} mx="auto" mt="lg">
      <PageTitle>{t("Sign in")}</PageTitle>
      <form onSubmit={form.onSubmit((v) => login.mutate(v))}>
        <Stack>
          <TextInput label={t("E-mail")} type="email" autoComplete="username" required {...form.getInputProps("email")} />
          <PasswordInput label={t("Password")} autoComplete="current-password" required {...form.getInputProps("password")} />
          {mfa && <TextInput label={t("Code from your authenticator app")} inputMode="numeric" autoComplete="one-time-code" required {...form.getInputProps("totpCode")} />}
          {!(mfa && isProblem(login.error, "MFA_REQUIRED")) && <ProblemAlert error={login.error} title={t("Not signed in")} />}
          <Button type="submit" loading={login.isPending}>{t("Sign in")}</Button>
          <Anchor component={Link} to="/password-reset" size="sm">{t("Forgot your password?")}</Anchor>
          <Text size="sm">
            {t("New here?")} <Anchor component={Link} to={`/sign-up${params.get("next") ? `?next=${encodeURIComponent(params.get("next")!)}` : ""}`}>{t("Create an account")}</Anchor>
          </Text>
        </Stack>
      </form>
    </Card>
  );
}

export function SignUp() {
  const { t } = useTranslation();
  const done = useAfterSignIn();
  const form = useForm({
    initialValues: { name: "", email: "", password: "" },
    validate: { password: (v) => (v.length >= 10 ? null : t("At least 10 characters")) },
  });
  const register = useMutation({
    mutationFn: async (v: typeof form.values) => {
      await ok(api().POST("/auth/register", { body: v }));
      return ok(api().POST("/auth/login", { body: { email: v.email, password: v.password } }));
    },
    onSuccess: (tokens) => {
      store(tokens);
      done();
    },
  });
  return (
    <Card withBorder maw={420} mx="auto" mt="lg">
      <PageTitle>{t("Create an account")}</PageTitle>
      <form onSubmit={form.onSubmit((v) => register.mutate(v))}>
        <Stack>
          <TextInput label={t("Name")} autoComplete="name" required {...form.getInputProps("name")} />
          <TextInput label={t("E-mail")} type="email" autoComplete="email" required {...form.getInputProps("email")} />
          <PasswordInput label={t("Password")} description={t("At least 10 characters, not a common password")} autoComplete="new-password" required {...form.getInputProps("password")} />
          <ProblemAlert error={register.error} title={t("Account not created")} />
          <Button type="submit" loading={register.isPending}>{t("Create an account")}</Button>
          <Text size="sm">{t("Already have an account?")} <Anchor component={Link} to="/sign-in">{t("Sign in")}</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}
