import { html } from "hono/html";
import { z } from "zod";
import { listModelVersions } from "../storage/models.ts";

/** What the page reads of a stored manifest: its offline metrics and scale, when present. */
const Offline = z.object({
  dataset: z.string().optional(),
  n_items: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
const SHOWN = ["test_ndcg@10", "test_recall@10", "valid_ndcg@10", "valid_recall@10"];

function offline(manifest: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    parsed = {};
  }
  const m = Offline.safeParse(parsed);
  return m.success ? m.data : {};
}

/** Every published version with the offline metrics its training wrote into the manifest. */
export async function modelsPage(db: D1Database) {
  const versions = await listModelVersions(db);
  if (versions.length === 0)
    return html`<section><p>No published versions yet. Train one: <code>npm run genrec -- train --preset tiny --wait</code></p></section>`;
  const rows = versions.map((v) => {
    const o = offline(v.manifest);
    const cells = SHOWN.map(
      (k) => html`<td>${o.metrics?.[k] === undefined ? "—" : (o.metrics[k] as number).toFixed(4)}</td>`,
    );
    return html`<tr><td>${v.version}${v.live ? html` <strong>(live)</strong>` : ""}</td><td>${v.model}</td>
<td>${o.dataset ?? "—"}</td><td>${o.n_items ?? "—"}</td>${cells}<td>${new Date(v.created_at).toISOString().slice(0, 16).replace("T", " ")}</td></tr>`;
  });
  return html`<section><div class="scroll"><table><caption class="muted">Offline metrics from each version's manifest (its training's held-out evaluation)</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Model</th><th scope="col">Dataset</th><th scope="col">Items</th>
${SHOWN.map((k) => html`<th scope="col">${k}</th>`)}<th scope="col">Published (UTC)</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}
