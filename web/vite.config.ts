import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Three pages, one build: the back office (/), the register app (/register) and GraphiQL
// (/graphql). The gateway serves dist/ (gateway/web.py); nothing is loaded from another host.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        backoffice: resolve(import.meta.dirname, "index.html"),
        register: resolve(import.meta.dirname, "register/index.html"),
        graphiql: resolve(import.meta.dirname, "graphiql/index.html"),
      },
    },
  },
  server: { proxy: { "/graphql": { target: "http://127.0.0.1:8080", ws: true } } },
});
