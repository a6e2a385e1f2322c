import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { ui } from "../src/lib/till.svelte";
import SyncBadge from "../src/components/SyncBadge.svelte";
import type { SyncBadge as Badge } from "../src/lib/types";

const offline: Badge = {
  server: "https://sync.example.dz",
  online: false,
  pending: 3,
  last_sync_ms: null,
  last_error_code: "OFFLINE_CONNECTION_REFUSED",
  last_error: "connection refused",
  problems: [],
  print_problems: [],
};

describe("the sync badge", () => {
  afterEach(() => {
    cleanup();
    ui.badge = null;
    ui.lang = "fr";
  });

  it("shows offline with what waits to be sent, and no printer alert when all printed", () => {
    ui.lang = "fr";
    ui.badge = offline;
    render(SyncBadge);
    expect(screen.getByTestId("sync-badge").dataset.status).toBe("offline");
    expect(screen.getByTestId("sync-pending").textContent).toBe("3");
    expect(screen.queryByTestId("print-alert")).toBeNull();
  });

  it("opened, says why the server was not reached in the cashier's words", async () => {
    ui.lang = "fr";
    ui.badge = offline;
    render(SyncBadge);
    await fireEvent.click(screen.getByRole("button", { expanded: false }));
    const panel = screen.getByRole("dialog");
    expect(panel.textContent).toContain("connexion refusée");
    expect(panel.textContent).not.toContain("connection refused");
  });

  it("a receipt stuck for want of paper is shown with what to do, in the cashier's language", () => {
    const stuck = {
      id: 7,
      kind: "receipt",
      sale_id: "s1",
      printer: "tcp://192.168.1.50:9100",
      state: "failed",
      attempts: 3,
      last_error_code: "PAPER_OUT",
      last_error: "the printer is out of paper",
    };
    ui.lang = "ar";
    ui.badge = { ...offline, print_problems: [stuck] };
    render(SyncBadge);
    const alert = screen.getByTestId("print-alert");
    expect(alert.textContent).toContain("الطابعة");
    expect(alert.textContent).toContain("نفد الورق");
  });
});
