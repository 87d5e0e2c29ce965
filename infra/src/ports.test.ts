import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { claimPort, PortInUseError } from "./ports.ts";

describe("claimPort", () => {
  it("picks a free loopback port for 0, and accepts a free one", async () => {
    const port = await claimPort(0, "--edge-port");
    expect(port).toBeGreaterThan(0);
    expect(await claimPort(port, "--edge-port")).toBe(port);
  });

  it("refuses a busy port, naming it and the option that chose it", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const refused = claimPort(port, "--gpu-port");
      await expect(refused).rejects.toBeInstanceOf(PortInUseError);
      await expect(refused).rejects.toThrow(`port ${port} (--gpu-port) is in use`);
    } finally {
      server.close();
    }
  });
});
