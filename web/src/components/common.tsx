import { Alert, Badge, Center, Loader, Stack, Tabs, Text, Title, VisuallyHidden } from "@mantine/core";
import { useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate, useRouteError } from "react-router";
import { isProblem } from "../api/problem";
import { useSession } from "../auth/useSession";

/** A refusal or failure as the API explained it (the problem's detail), with its stable code. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const problem = isProblem(error) ? error : null;
  const message = problem ? problem.message : String(error);
  return (
    <Alert color="red" title={title ?? t("Something went wrong")} role="alert">
      <Text size="sm">{message}</Text>
      {problem?.fields.map((f) => (
        <Text size="sm" key={f.field}>
          {f.field}: {f.message}
        </Text>
      ))}
      {problem && problem.code !== `HTTP_${problem.status}` && (
        <Text size="xs" c="dimmed">
          {problem.code}
        </Text>
      )}
    </Alert>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status">
      <Loader />
      <VisuallyHidden>{t("Loading")}</VisuallyHidden>
    </Center>
  );
}

/** The page's heading, also its document title. */
export function PageTitle({ children, order = 1 }: { children: string; order?: 1 | 2 }) {
  useEffect(() => {
    if (order === 1) document.title = `${children} · Titan Commerce`;
  }, [children, order]);
  return <Title order={order} mb="md">{children}</Title>;
}

export function RouteError() {
  const error = useRouteError();
  return (
    <Stack p="xl">
      <ProblemAlert error={error} />
    </Stack>
  );
}

/** Its children for a signed-in visitor; otherwise the sign-in page, coming back here after. */
export function SignedIn({ children }: { children: ReactNode }) {
  const { signedIn } = useSession();
  const location = useLocation();
  if (!signedIn) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** A page for signed-in visitors: its title, then its content. */
export function SignedInPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <SignedIn>
      <PageTitle>{title}</PageTitle>
      {children}
    </SignedIn>
  );
}

/** A section's pages as tabs (the seller center, the admin panel): `[{to, label}]`. */
export function SectionTabs({ tabs }: { tabs: { to: string; label: string }[] }) {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const current = tabs.slice().reverse().find((tab) => location.pathname.startsWith(tab.to))?.to ?? tabs[0].to;
  return (
    <Tabs value={current} onChange={(to) => to && navigate(to)}>
      <Tabs.List style={{ overflowX: "auto", flexWrap: "nowrap" }}>
        {tabs.map((tab) => <Tabs.Tab key={tab.to} value={tab.to}>{t(tab.label)}</Tabs.Tab>)}
      </Tabs.List>
    </Tabs>
  );
}

const STATUS_COLOURS: Record<string, string> = {
  CONFIRMED: "green",
  PENDING_PAYMENT: "yellow",
  AUTHORIZED: "green",
  CAPTURED: "green",
  PLACED: "blue",
  DELIVERED: "green",
  COMPLETED: "green",
  APPROVED: "green",
  PUBLISHED: "green",
  ACTIVE: "green",
  SHIPPED: "cyan",
  HANDED_OVER: "cyan",
  IN_TRANSIT: "cyan",
  CANCELLED: "gray",
  REJECTED: "red",
  FAILED: "red",
  LATE: "red",
};

/** An API code as words, for a language without an entry: LABEL_PURCHASED → "Label purchased". */
export function humanize(code: string): string {
  const words = code.replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    // Dark text on the light tint: Mantine's coloured text on it is below 4.5:1.
    <Badge color={STATUS_COLOURS[status] ?? "titan"} variant="light" c="dark.7">
      {t(status, { defaultValue: humanize(status) })}
    </Badge>
  );
}
