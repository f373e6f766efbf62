import { useSyncExternalStore } from "react";
import { snapshot, subscribe } from "./session";

/** Who is signed in (the access token's claims), re-rendering when it changes. */
export function useSession() {
  const { claims } = useSyncExternalStore(subscribe, snapshot);
  const roles = (claims?.roles ?? "").split(",");
  return {
    claims,
    signedIn: claims !== null,
    isStaff: roles.includes("staff") || roles.includes("admin"),
    isAdmin: roles.includes("admin"),
    sellerId: roles.includes("seller") ? (claims?.sellerId ?? null) : null,
  };
}
