import {
  ActionIcon,
  Anchor,
  AppShell,
  Badge,
  Burger,
  Button,
  Container,
  Group,
  Menu,
  NavLink,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useNavigate, useSearchParams } from "react-router";
import { api, ok } from "../api/client";
import { signOut } from "../auth/session";
import { useSession } from "../auth/useSession";
import { chooseLanguage } from "../i18n";
import { CartIcon, PersonIcon } from "./icons";

export function useCart() {
  const { signedIn } = useSession();
  return useQuery({
    queryKey: ["cart"],
    queryFn: () => ok(api().GET("/cart")),
    enabled: signedIn,
  });
}

function SearchBox() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <form onSubmit={submit} role="search" style={{ flex: 1, maxWidth: 520 }}>
      <TextInput
        aria-label={t("Search products")}
        placeholder={t("Search products")}
        type="search"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        name="q"
      />
    </form>
  );
}

/** A signed-in person's pages, in the account menu and the phone's drawer: [route, label]. */
const ACCOUNT_PAGES = [
  ["/orders", "My orders"],
  ["/wallet", "Wallet"],
  ["/notifications", "Notifications"],
  ["/chat", "Chat"],
  ["/account", "Account"],
] as const;
const SELLER_CENTER = ["/seller", "Seller center"] as const;
const ADMIN_PANEL = ["/admin", "Admin panel"] as const;

function LanguageSwitch({ short = false }: { short?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size={short ? "xs" : "sm"}
      mt={short ? 0 : "md"}
      aria-label={t("Language")}
      value={i18n.language}
      onChange={(value) => chooseLanguage(value as "pt" | "en")}
      data={[
        { label: short ? "PT" : "Português", value: "pt" },
        { label: short ? "EN" : "English", value: "en" },
      ]}
    />
  );
}

export function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const cart = useCart();
  const unread = useQuery({
    queryKey: ["notifications", "unread"],
    queryFn: () => ok(api().GET("/me/notifications", { params: { query: { unread: true, limit: 1 } } })),
    enabled: session.signedIn,
    refetchInterval: 60_000,
  });
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [opened, { toggle, close }] = useDisclosure(false);
  const unreadCount = unread.data?.unread.total ?? 0;
  const sections = session.isStaff ? [SELLER_CENTER, ADMIN_PANEL] : [SELLER_CENTER];

  const leave = async () => {
    await signOut();
    queries.clear();
    navigate("/");
  };

  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 240, breakpoint: "sm", collapsed: { desktop: true, mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("Menu")} />
          <Anchor component={Link} to="/" fw={800} c="titan.7" underline="never" style={{ whiteSpace: "nowrap" }}>
            Titan
          </Anchor>
          <SearchBox />
          <Group gap="xs" wrap="nowrap" visibleFrom="sm">
            <LanguageSwitch short />
          </Group>
          <Button component={Link} to="/cart" variant="subtle" px="xs">
            <CartIcon />
            <VisuallyHidden>{t("Cart")}</VisuallyHidden>
            {cart.data && cart.data.itemCount > 0 && (
              <Badge size="sm" ml={4} data-testid="cart-count">
                {cart.data.itemCount}
              </Badge>
            )}
          </Button>
          {session.signedIn ? (
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="light" size="lg" aria-label={t("Account")}>
                  <PersonIcon />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                {ACCOUNT_PAGES.map(([to, label]) => (
                  <Menu.Item key={to} component={Link} to={to}>
                    {t(label)} {to === "/notifications" && unreadCount > 0 && <Badge size="xs">{unreadCount}</Badge>}
                  </Menu.Item>
                ))}
                <Menu.Divider />
                {sections.map(([to, label]) => <Menu.Item key={to} component={Link} to={to}>{t(label)}</Menu.Item>)}
                <Menu.Divider />
                <Menu.Item onClick={leave}>{t("Sign out")}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          ) : (
            <Button component={Link} to="/sign-in" size="sm" variant="light">
              {t("Sign in")}
            </Button>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" aria-label={t("Menu")}>
        <Stack gap={4} onClick={close}>
          <NavLink component={Link} to="/" label={t("Home")} />
          <NavLink component={Link} to="/cart" label={t("Cart")} />
          {[...ACCOUNT_PAGES, ...sections].map(([to, label]) => <NavLink key={to} component={Link} to={to} label={t(label)} />)}
          <LanguageSwitch />
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Container size="lg" px={0} component="div">
          <Outlet />
        </Container>
        <Text component="footer" size="xs" c="dimmed" ta="center" mt="xl">
          {t("Catalog data: Olist Brazilian E-Commerce dataset (CC BY-NC-SA 4.0).")}
        </Text>
      </AppShell.Main>
    </AppShell>
  );
}
