import { createServer, type IncomingHttpHeaders } from "node:http";
import { INSTANCE_HEADER } from "../instance.ts";

/**
 * A loopback HTTP server standing in for an edge (ours when `instance` is given, a foreign one
 * otherwise): every route answers 200 with `body`; it records each request's method, path and headers.
 */
export async function fakeServer(instance?: string, body: object = {}) {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    if (instance) res.setHeader(INSTANCE_HEADER, instance);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
