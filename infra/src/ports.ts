import { createServer } from "node:net";

/** Binds 127.0.0.1:`port` for a moment; resolves with the bound port (the OS's pick for 0). */
function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port that is either free now or refused with a message naming the option that chose it. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
}

/**
 * 0 picks a free loopback port; any other port must be free, so that the launcher never mistakes a
 * server it did not start (another stack, say) for its own.
 */
export async function claimPort(port: number, option: string): Promise<number> {
  try {
    return await probe(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    throw new PortInUseError(
      `port ${port} (${option}) is in use, perhaps by another genrec stack: stop it, or choose another ` +
        `port with ${option} N (0 picks a free one)`,
    );
  }
}
