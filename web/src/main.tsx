import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { createTheme, MantineProvider, type MantineColorsTuple } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import "./theme.css";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { isProblem } from "./api/problem";
import { freshAccessToken } from "./auth/session";
import { loadConfig } from "./config";
import "./i18n";
import { router } from "./routes";

// Titan's orange, darker than Mantine's from shade 6 on, so text in it (links, light buttons)
// and white text on it pass WCAG AA contrast (4.5:1) on white.
const titan: MantineColorsTuple = [
  "#fff4e6", "#ffe8cc", "#ffd8a8", "#ffc078", "#ffa94d", "#ff922b", "#c2410c", "#b23c0b", "#9a3412", "#7c2d12",
];

const theme = createTheme({
  colors: { titan },
  primaryColor: "titan",
  primaryShade: 6,
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
});

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A problem the API answered (4xx) is not worth asking again; a network failure is.
      retry: (count, error) => count < 2 && !(isProblem(error) && error.status < 500 && error.status > 0),
      refetchOnWindowFocus: false,
    },
  },
});

async function start() {
  await loadConfig();
  await freshAccessToken().catch(() => null); // a session kept from an earlier visit
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <Notifications position="top-right" />
        <QueryClientProvider client={queries}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
