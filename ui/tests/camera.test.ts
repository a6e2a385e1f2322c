import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setListener } from "../src/lib/api";
import { ui } from "../src/lib/till.svelte";
import CameraPanel from "../src/components/CameraPanel.svelte";
import type { CameraEvent } from "../src/lib/types";
import { fakeCore, loggedIn } from "./fake-core";

const settle = () => new Promise((r) => setTimeout(r, 0));

function fakeEvents() {
  const handlers = new Map<string, (p: unknown) => void>();
  setListener(async (event, f) => {
    handlers.set(event, f);
    return () => handlers.delete(event);
  });
  return {
    handlers,
    camera(e: Partial<CameraEvent>) {
      handlers.get("camera")?.({ preview: null, read: null, cart: null, error: null, stopped: false, ...e });
    },
  };
}

describe("the camera panel", () => {
  afterEach(cleanup);
  let core: ReturnType<typeof fakeCore>;
  beforeEach(async () => {
    core = await loggedIn();
  });

  it("opens the camera, shows its picture and highlights what went to the cart", async () => {
    const events = fakeEvents();
    let closed = false;
    const panel = render(CameraPanel, { onclose: () => (closed = true) });
    await settle();
    expect(core.calls.at(-1)?.cmd).toBe("camera_start");
    expect(screen.getByTestId("camera").textContent).toContain("Présentez le code-barres");

    events.camera({ preview: "data:image/jpeg;base64,AAAA" });
    await settle();
    expect(screen.getByTestId("camera-picture").getAttribute("src")).toBe("data:image/jpeg;base64,AAAA");

    const cart = await core.transport("scan", { code: "6130502000100" });
    events.camera({ read: { format: "EAN_13", text: "6130502000100", added: true }, cart: cart as never });
    await settle();
    const read = screen.getByTestId("camera-read");
    expect(read.textContent).toContain("6130502000100");
    expect(read.textContent).toContain("ajouté au panier");
    expect(read.parentElement?.getAttribute("data-read")).toBe("added");
    expect(ui.cart?.lines).toHaveLength(1);

    events.camera({ read: { format: "EAN_13", text: "6130502000100", added: false } });
    await settle();
    expect(screen.getByTestId("camera-read").parentElement?.getAttribute("data-read")).toBe("held");

    events.camera({
      read: { format: "EAN_13", text: "4006381333931", added: false },
      error: { code: "UNKNOWN_PRODUCT", message: "no product" },
    });
    await settle();
    expect(screen.getByTestId("camera-read").textContent).toContain("Produit inconnu");
    expect(screen.getByTestId("camera-read").parentElement?.getAttribute("data-read")).toBe("refused");

    panel.unmount();
    await settle();
    expect(core.calls.at(-1)?.cmd).toBe("camera_stop");
    expect(events.handlers.has("camera")).toBe(false);
    expect(closed).toBe(false);
  });

  it("a camera that fails says why in the till's words and closes the panel", async () => {
    const events = fakeEvents();
    let closed = false;
    render(CameraPanel, { onclose: () => (closed = true) });
    await settle();
    events.camera({ stopped: true, error: { code: "NO_CAMERA", message: "no camera at /dev/video0" } });
    await settle();
    expect(ui.error).toContain("Aucune caméra branchée");
    expect(closed).toBe(true);
  });
});
