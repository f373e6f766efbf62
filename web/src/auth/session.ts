/** The signed-in session, as docs/identity.md says to keep it: the access token (15 minutes)
 * only in memory, the refresh token in localStorage (never in a URL), rotated on every use. A
 * refresh token works once, so refreshes are serialised across tabs with the Web Locks API and
 * each tab rotates the token the last one stored. */
import { config } from "../config";

const REFRESH_KEY = "titan.refreshToken";
const MARGIN_S = 30;

export interface Claims {
  sub: string;
  /** Comma-separated: customer, seller, staff, admin */
  roles: string;
  sellerId?: string | null;
  exp: number;
  email?: string;
}

interface State {
  accessToken: string | null;
  claims: Claims | null;
}

let state: State = { accessToken: null, claims: null };
const listeners = new Set<() => void>();
let inflight: Promise<string | null> | null = null;

function decode(token: string): Claims {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    Array.from(atob(payload), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
  );
  return JSON.parse(json) as Claims;
}

function set(next: State) {
  state = next;
  listeners.forEach((listener) => listener());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function snapshot(): State {
  return state;
}

export function hasSession(): boolean {
  return state.accessToken !== null || localStorage.getItem(REFRESH_KEY) !== null;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Keep the tokens a login or a refresh answered. */
export function store(tokens: Tokens) {
  localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  set({ accessToken: tokens.accessToken, claims: decode(tokens.accessToken) });
}

export function clear() {
  localStorage.removeItem(REFRESH_KEY);
  set({ accessToken: null, claims: null });
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${config().apiUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function rotate(): Promise<string | null> {
  const refreshToken = localStorage.getItem(REFRESH_KEY);
  if (!refreshToken) return null;
  const response = await post("/auth/refresh", { refreshToken });
  if (response.status === 401 || response.status === 400 || response.status === 422) {
    clear(); // used, expired or revoked: the session is over
    return null;
  }
  if (!response.ok) throw new Error(`refresh: HTTP ${response.status}`);
  const tokens = (await response.json()) as Tokens;
  store(tokens);
  return tokens.accessToken;
}

async function serialised(): Promise<string | null> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return rotate();
  let token: string | null = null;
  await locks.request("titan-refresh", async () => {
    token = await rotate();
  });
  return token;
}

/** An access token valid for at least 30 s more, refreshing it first when needed; null when
 * nobody is signed in. */
export async function freshAccessToken(): Promise<string | null> {
  const { accessToken, claims } = state;
  if (accessToken && claims && claims.exp - MARGIN_S > Date.now() / 1000) return accessToken;
  return renew();
}

/** A new access token now (a role granted since the last one is in it), one refresh at a
 * time in this tab; null when nobody is signed in. */
export async function renew(): Promise<string | null> {
  if (!localStorage.getItem(REFRESH_KEY)) return null;
  inflight ??= serialised().finally(() => (inflight = null));
  return inflight;
}

/** End the session here and on the server (its refresh token family). */
export async function signOut() {
  const refreshToken = localStorage.getItem(REFRESH_KEY);
  clear();
  if (refreshToken) await post("/auth/logout", { refreshToken }).catch(() => undefined);
}
