import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ForeignServerError, type Service, startProcess, stopProcess, waitHealthy } from "./processes.ts";
import { fakeServer } from "./testing/fake-server.ts";

// A live child stands in for the launched server's process; a fake server answers its port.
let sleeper: ReturnType<typeof startProcess>;
const servers: { close(): Promise<void> }[] = [];
beforeAll(() => {
  const args = ["-e", "setTimeout(() => {}, 60_000)"];
  sleeper = startProcess("sleeper", process.execPath, args, { cwd: ".", env: process.env, log: () => {} });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => stopProcess(sleeper.child));

async function serviceAt(reported: string | undefined, instance: string): Promise<Service> {
  const server = await fakeServer(reported);
  servers.push(server);
  return { name: "edge", url: `${server.url}/health`, instance, process: sleeper.child, tail: sleeper.tail };
}

describe("waitHealthy", () => {
  it("accepts the server that reports this run's instance value", async () => {
    await expect(waitHealthy(await serviceAt("run-1", "run-1"), 5000)).resolves.toBeUndefined();
  });

  it("refuses at once a server that reports another instance value, or none", async () => {
    const other = waitHealthy(await serviceAt("run-2", "run-1"), 60_000);
    await expect(other).rejects.toBeInstanceOf(ForeignServerError);
    await expect(other).rejects.toThrow(/another server answers .* \(x-genrec-instance: run-2\)/);
    const none = waitHealthy(await serviceAt(undefined, "run-1"), 60_000);
    await expect(none).rejects.toThrow(/x-genrec-instance: none/);
  });
});
