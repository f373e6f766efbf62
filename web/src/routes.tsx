/** Every page and its address. Routes live in the hash (`#/search?q=...`): S3 website hosting
 * has no rewrites, so a reload or a shared link must not ask the bucket for the route's path.
 * The home page is in the first chunk; every other page, the seller center and the admin
 * panel are loaded when first visited (the storefront's first load stays under 250 kB of
 * compressed JavaScript). */
import { createHashRouter } from "react-router";
import { Layout } from "./components/Layout";
import { Loading, RouteError } from "./components/common";
import { Home } from "./pages/store/Home";

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
      { path: "search", lazy: async () => ({ Component: (await import("./pages/store/Search")).Search }) },
      { path: "products/:productId", lazy: async () => ({ Component: (await import("./pages/store/Product")).Product }) },
      { path: "shops/:slug", lazy: async () => ({ Component: (await import("./pages/store/Shop")).Shop }) },
      { path: "sellers/:sellerId/shop", lazy: async () => ({ Component: (await import("./pages/store/Shop")).Shop }) },
      { path: "flash-sales/:saleId", lazy: async () => ({ Component: (await import("./pages/store/FlashSale")).FlashSale }) },
      { path: "cart", lazy: async () => ({ Component: (await import("./pages/store/Cart")).Cart }) },
      { path: "checkout", lazy: async () => ({ Component: (await import("./pages/store/Checkout")).Checkout }) },
      { path: "sign-in", lazy: async () => ({ Component: (await import("./pages/store/SignIn")).SignIn }) },
      { path: "sign-up", lazy: async () => ({ Component: (await import("./pages/store/SignIn")).SignUp }) },
      { path: "password-reset", lazy: async () => ({ Component: (await import("./pages/store/Recovery")).PasswordReset }) },
      { path: "verify-email", lazy: async () => ({ Component: (await import("./pages/store/Recovery")).VerifyEmail }) },
      { path: "orders", lazy: async () => ({ Component: (await import("./pages/store/Orders")).Orders }) },
      { path: "orders/:orderId", lazy: async () => ({ Component: (await import("./pages/store/Order")).Order }) },
      { path: "wallet", lazy: async () => ({ Component: (await import("./pages/store/Wallet")).Wallet }) },
      { path: "notifications", lazy: async () => ({ Component: (await import("./pages/store/Notifications")).Notifications }) },
      { path: "chat", lazy: async () => ({ Component: (await import("./pages/store/Chat")).Chat }) },
      { path: "chat/:conversationId", lazy: async () => ({ Component: (await import("./pages/store/Chat")).Chat }) },
      { path: "account", lazy: async () => ({ Component: (await import("./pages/store/Account")).Account }) },
      {
        path: "seller",
        lazy: async () => ({ Component: (await seller()).SellerLayout }),
        children: [
          { index: true, lazy: async () => ({ Component: (await seller()).Dashboard }) },
          { path: "apply", lazy: async () => ({ Component: (await seller()).Apply }) },
          { path: "products", lazy: async () => ({ Component: (await seller()).Products }) },
          { path: "products/new", lazy: async () => ({ Component: (await seller()).NewProduct }) },
          { path: "stock/:offerId", lazy: async () => ({ Component: (await seller()).Stock }) },
          { path: "shipments", lazy: async () => ({ Component: (await seller()).Shipments }) },
          { path: "returns", lazy: async () => ({ Component: (await seller()).Returns }) },
          { path: "shop", lazy: async () => ({ Component: (await seller()).ShopProfile }) },
          { path: "balance", lazy: async () => ({ Component: (await seller()).Balance }) },
        ],
      },
      {
        path: "admin",
        lazy: async () => ({ Component: (await admin()).AdminLayout }),
        children: [
          { index: true, lazy: async () => ({ Component: (await admin()).Applications }) },
          { path: "listings", lazy: async () => ({ Component: (await admin()).Listings }) },
          { path: "reviews", lazy: async () => ({ Component: (await admin()).Reviews }) },
          { path: "promotions", lazy: async () => ({ Component: (await admin()).Promotions }) },
          { path: "accounts", lazy: async () => ({ Component: (await admin()).Accounts }) },
          { path: "imports", lazy: async () => ({ Component: (await admin()).Imports }) },
          { path: "ledger", lazy: async () => ({ Component: (await admin()).Ledger }) },
        ],
      },
    ],
  },
]);
