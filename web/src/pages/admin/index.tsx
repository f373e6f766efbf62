/** The admin panel (staff): a chunk of its own, loaded when first opened. */
export { AdminLayout } from "./AdminLayout";
export { Applications } from "./Applications";
export { Listings, Reviews } from "./Moderation";
export { Promotions } from "./Promotions";
export { Accounts, Imports, Ledger } from "./Operations";
