/** Where the API is: `config.json` beside the page, written when the site is published
 * (`make up` on the local cloud, `make web-publish` on AWS), or VITE_API_URL in development. */
export interface SiteConfig {
  apiUrl: string;
  webSocketUrl?: string | null;
}

let loaded: SiteConfig | null = null;

export async function loadConfig(): Promise<SiteConfig> {
  if (loaded) return loaded;
  const fromEnv = import.meta.env.VITE_API_URL as string | undefined;
  if (fromEnv) return (loaded = { apiUrl: fromEnv });
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  loaded = (await response.json()) as SiteConfig;
  loaded.apiUrl = loaded.apiUrl.replace(/\/$/, "");
  return loaded;
}

export function config(): SiteConfig {
  if (!loaded) throw new Error("configuration not loaded");
  return loaded;
}
