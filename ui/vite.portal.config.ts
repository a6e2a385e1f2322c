import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Entry `portal`: the back office, served by sync-server (embedded from dist-portal). Its own
// build so the till's window (vite.config.ts, dist/) carries none of it, and the other way round.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: "dist-portal",
    emptyOutDir: true,
    target: "es2020",
    rollupOptions: { input: { portal: "portal.html" } },
  },
});
