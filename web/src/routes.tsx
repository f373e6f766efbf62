/** Every page and its address. Routes live in the hash (`#/search?q=...`): S3 website hosting
 * has no rewrites, so a reload or a shared link must not ask the bucket for the route's path.
 * The home page is in the first chunk; every other page, the seller center and the admin
 * panel are loaded when first visited (the storefront's first load stays under 250 kB of
 * compressed JavaScript). */
import type { ComponentType } from "react";
import { createHashRouter } from "react-router";
import { Layout } from "./components/Layout";
import { Loading, RouteError } from "./components/common";
import { Home } from "./pages/store/Home";

/** A route's lazy part: the component ``name`` of the module ``load`` imports on first visit. */
function page<M>(load: () => Promise<M>, name: keyof M) {
  return async () => ({ Component: (await load())[name] as ComponentType });
}

const seller = () => import("./pages/seller");
const admin = () => import("./pages/admin");

export const router = createHashRouter([
  {
    path: "/",
    element: <Layout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <Home /> },
      { path: "search", lazy: page(() => import("./pages/store/Search"), "Search") },
      { path: "products/:productId", lazy: page(() => import("./pages/store/Product"), "Product") },
      { path: "shops/:slug", lazy: page(() => import("./pages/store/Shop"), "Shop") },
      { path: "sellers/:sellerId/shop", lazy: page(() => import("./pages/store/Shop"), "Shop") },
      { path: "flash-sales/:saleId", lazy: page(() => import("./pages/store/FlashSale"), "FlashSale") },
      { path: "cart", lazy: page(() => import("./pages/store/Cart"), "Cart") },
      { path: "checkout", lazy: page(() => import("./pages/store/Checkout"), "Checkout") },
      { path: "sign-in", lazy: page(() => import("./pages/store/SignIn"), "SignIn") },
      { path: "sign-up", lazy: page(() => import("./pages/store/SignIn"), "SignUp") },
      { path: "password-reset", lazy: page(() => import("./pages/store/Recovery"), "PasswordReset") },
      { path: "verify-email", lazy: page(() => import("./pages/store/Recovery"), "VerifyEmail") },
      { path: "orders", lazy: page(() => import("./pages/store/Orders"), "Orders") },
      { path: "orders/:orderId", lazy: page(() => import("./pages/store/Order"), "Order") },
      { path: "wallet", lazy: page(() => import("./pages/store/Wallet"), "Wallet") },
      { path: "notifications", lazy: page(() => import("./pages/store/Notifications"), "Notifications") },
      { path: "chat", lazy: page(() => import("./pages/store/Chat"), "Chat") },
      { path: "chat/:conversationId", lazy: page(() => import("./pages/store/Chat"), "Chat") },
      { path: "account", lazy: page(() => import("./pages/store/Account"), "Account") },
      {
        path: "seller",
        lazy: page(seller, "SellerLayout"),
        children: [
          { index: true, lazy: page(seller, "Dashboard") },
          { path: "apply", lazy: page(seller, "Apply") },
          { path: "products", lazy: page(seller, "Products") },
          { path: "products/new", lazy: page(seller, "NewProduct") },
          { path: "stock/:offerId", lazy: page(seller, "Stock") },
          { path: "shipments", lazy: page(seller, "Shipments") },
          { path: "returns", lazy: page(seller, "Returns") },
          { path: "shop", lazy: page(seller, "ShopProfile") },
          { path: "balance", lazy: page(seller, "Balance") },
        ],
      },
      {
        path: "admin",
        lazy: page(admin, "AdminLayout"),
        children: [
          { index: true, lazy: page(admin, "Applications") },
          { path: "listings", lazy: page(admin, "Listings") },
          { path: "reviews", lazy: page(admin, "Reviews") },
          { path: "promotions", lazy: page(admin, "Promotions") },
          { path: "accounts", lazy: page(admin, "Accounts") },
          { path: "imports", lazy: page(admin, "Imports") },
          { path: "ledger", lazy: page(admin, "Ledger") },
        ],
      },
    ],
  },
]);
