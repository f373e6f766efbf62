/** The typed API client: openapi-fetch over the paths generated from the OpenAPI document
 * (`src/api/schema.ts`, `make openapi`). Every request carries the session's access token
 * (refreshed first when it is about to expire) and every POST an Idempotency-Key. */
import createClient, { type Middleware } from "openapi-fetch";
import { config } from "../config";
import { freshAccessToken } from "../auth/session";
import { Problem } from "./problem";
import type { paths } from "./schema";

export type { paths } from "./schema";
export type Schemas = import("./schema").components["schemas"];

/** A random id for Idempotency-Key (crypto.randomUUID needs a secure context; this does not). */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (!schemaPath.startsWith("/auth/")) {
      const token = await freshAccessToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
    }
    if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
      request.headers.set("Idempotency-Key", newKey());
    }
    return request;
  },
};

let client: ReturnType<typeof createClient<paths>> | null = null;

export function api() {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().apiUrl });
    client.use(auth);
  }
  return client;
}

/** The answer's data, or a thrown Problem (problem+json) for any status but 2xx. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result;
  try {
    result = await call;
  } catch (cause) {
    throw new Problem(0, { title: "Network error", detail: String(cause), code: "NETWORK" });
  }
  if (!result.response.ok) {
    const body = (result.error ?? {}) as Record<string, unknown>;
    throw new Problem(result.response.status, typeof body === "object" ? body : { detail: String(body) });
  }
  return result.data as T;
}
