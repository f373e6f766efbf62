import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// A static site: every route is in the hash (S3 website hosting has no rewrites), the seller
// center and the admin panel are separate chunks loaded when first visited.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { host: "127.0.0.1" },
});
