import { edgeClient } from "../edge-client.ts";
import { type LocalStackOptions, stackEdge } from "../local-stack.ts";
import { quickstart, tryNext } from "./quickstart.ts";
import { up } from "./up.ts";

export interface ServeOptions {
  /** Run the quick start (sample import, tiny training, recommendations) once the stack is up. */
  quickstart: boolean;
  /** Stop after that instead of serving until Ctrl-C. */
  once: boolean;
  stack: LocalStackOptions;
}

/**
 * `genrec up` / `genrec quickstart`: the stack stops on every way out (done with --once, Ctrl-C or
 * SIGTERM, even mid-quickstart, or an error), and its curl lines are printed only while it serves.
 * Resolves with the exit status.
 */
export async function serve(opts: ServeOptions, say: (line: string) => void): Promise<number> {
  const stack = await up(opts.stack, say);
  const signalled = new Promise<"signal">((resolve) => {
    process.once("SIGINT", () => resolve("signal"));
    process.once("SIGTERM", () => resolve("signal"));
  });
  try {
    if (opts.quickstart) {
      const work = quickstart(edgeClient(stackEdge(stack)), say);
      work.catch(() => {}); // once interrupted, its requests fail against the stopped stack
      if ((await Promise.race([work.then(() => "done" as const), signalled])) === "signal") {
        say("interrupted: stopping the stack");
        return 130;
      }
    }
    if (opts.once) {
      say("stopping the stack (--once); run without --once to keep it serving");
      return 0;
    }
    tryNext(stack, say);
    say("serving; Ctrl-C to stop");
    await signalled;
    return 0;
  } finally {
    await stack.stop();
  }
}
