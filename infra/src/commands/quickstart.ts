import type { EdgeClient } from "../edge-client.ts";
import type { LocalStack } from "../local-stack.ts";
import { readSample } from "../sample.ts";
import { importSample } from "./data.ts";
import { jobSummary, startTraining, waitForJob } from "./train.ts";

/**
 * The main job on the embedded default: import the bundled sample through the API, train a tiny
 * RPG model on the GPU worker from the edge's own snapshot, activate it, and show recommendations.
 */
export async function quickstart(edge: EdgeClient, say: (line: string) => void): Promise<void> {
  await importSample(edge, say);
  const before = await edge.recommendForUser("A1YJEY40YUW4SE", 5);
  say(`before training, recommendations come from ${before.model_version}`);

  const job = await startTraining(edge, { model: "rpg", preset: "tiny" }, say);
  const done = await waitForJob(edge, job.job_id, say);
  say(jobSummary(done));
  if (done.state !== "succeeded" || !done.artifact_version) throw new Error(`training ${done.state}`);
  const live = await edge.activate(done.artifact_version);
  say(`activated ${live.version}`);

  const users = [...new Set(readSample().events.map((e) => e.user_id))].slice(0, 2);
  for (const user of users) {
    const rec = await edge.recommendForUser(user, 5);
    say(
      `recommendations for ${user} (${rec.model_version}): ${rec.items.map((i) => `${i.item_id} ${i.score.toFixed(3)}`).join(", ")}`,
    );
  }
  const session = await edge.recommendForSession(["B004756YJA", "B004ZT0SSG"], 5);
  say(`session [B004756YJA, B004ZT0SSG]: ${session.items.map((i) => i.item_id).join(", ")}`);
}

/** The commands to try against a stack that is serving (printed only while it is). */
export function tryNext(stack: LocalStack, say: (line: string) => void): void {
  const [user] = readSample().events.map((e) => e.user_id);
  const auth = `-H "authorization: Bearer ${stack.clientKey}"`;
  say("");
  say("try next:");
  say(`  curl ${auth} ${stack.edgeUrl}/v1/users/${user}/recommendations?n=10`);
  say(
    `  curl ${auth} -H "content-type: application/json" -d '{"history":["B004756YJA"],"n":5}' ${stack.edgeUrl}/v1/recommendations`,
  );
  say(`  curl ${auth} ${stack.edgeUrl}/v1/models`);
  say(`  curl ${stack.edgeUrl}/openapi.json`);
  say(`  npm run genrec -- models   (the CLI finds this stack through .genrec/local.json)`);
  say(`  admin key: ${stack.adminKey}   client key: ${stack.clientKey}   (also in .genrec/local.json)`);
}
