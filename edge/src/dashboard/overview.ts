import { type ArmMetrics, type Experiment, POPULARITY_VERSION } from "@genrec/shared";
import { html, raw } from "hono/html";
import { armMetrics } from "../experiments/metrics.ts";
import { difference } from "../experiments/stats.ts";
import { listExperiments, toExperiment } from "../experiments/store.ts";
import { listModelVersions, liveModelVersion } from "../storage/models.ts";
import { intervalChart } from "./svg.ts";

const WEEK_MS = 7 * 86_400_000;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const interval = (p: { low: number; high: number }) => `[${pct(p.low)}, ${pct(p.high)}]`;

function metricsTable(rows: ArmMetrics[]) {
  if (rows.length === 0) return html`<p class="muted">Nothing served in the last 7 days.</p>`;
  const body = rows.map(
    (
      m,
    ) => html`<tr><td>${m.experiment_id ?? "—"}</td><td>${m.arm}</td><td>${m.version}</td><td>${m.served}</td>
<td>${pct(m.click_through.value)} <span class="muted">${interval(m.click_through)}</span></td>
<td>${pct(m.hit_rate.value)} <span class="muted">${interval(m.hit_rate)}</span></td>
<td>${
      Object.entries(m.events)
        .map(([t, n]) => `${t} ${n}`)
        .join(", ") || "—"
    }</td></tr>`,
  );
  return html`<div class="scroll"><table><caption class="muted">95% Wilson intervals</caption>
<thead><tr><th scope="col">Experiment</th><th scope="col">Arm</th><th scope="col">Version</th><th scope="col">Served</th>
<th scope="col">Click-through</th><th scope="col">Hit rate</th><th scope="col">Attributed events</th></tr></thead>
<tbody>${body}</tbody></table></div>`;
}

/** The two-arm verdict: the difference of click-through with its interval (Newcombe). */
function verdict(rows: ArmMetrics[]) {
  const [a, b] = rows;
  if (rows.length !== 2 || !a || !b) return "";
  const d = difference(a.click_through, b.click_through);
  const told = d.low > 0 ? `${a.arm} is ahead` : d.high < 0 ? `${b.arm} is ahead` : "not told apart yet";
  return html`<p>Click-through ${a.arm} − ${b.arm}: <strong>${pct(d.value)}</strong> ${interval(d)} — ${told}.</p>`;
}

function experimentRow(e: Experiment) {
  const arms = e.arms.map((a) => `${a.name}: ${a.version} (${Math.round(a.share * 100)}%)`).join(", ");
  const actions =
    e.status === "running"
      ? html`<form class="row" method="post" action="/dashboard/experiments/${e.id}/promote">
<label>Winner<select name="arm">${e.arms.map((a) => html`<option value="${a.name}">${a.name}</option>`)}</select></label>
<button type="submit">Promote</button></form>
<form method="post" action="/dashboard/experiments/${e.id}/stop"><button class="secondary" type="submit">Stop ${e.id}</button></form>`
      : html`${e.status}${e.winner ? ` (${e.winner})` : ""}`;
  return html`<tr><td>${e.id}</td><td>${e.status}</td><td>${arms}</td><td>${e.started_at.slice(0, 16).replace("T", " ")}</td><td>${actions}</td></tr>`;
}

function startForm(versions: string[]) {
  const options = [...versions, POPULARITY_VERSION].map((v) => html`<option value="${v}">${v}</option>`);
  const arm = (
    i: number,
    name: string,
    share: string,
  ) => html`<fieldset class="row"><legend>Arm ${i + 1}</legend>
<label>Name<input name="arm_name" value="${name}" ${i < 2 ? "required" : ""}></label>
<label>Version<select name="arm_version">${i < 2 ? "" : html`<option value="">(none)</option>`}${options}</select></label>
<label>Share<input name="arm_share" inputmode="decimal" value="${share}"></label></fieldset>`;
  return html`<form method="post" action="/dashboard/experiments">
<label>Experiment id<input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_-]*" maxlength="64"></label>
${arm(0, "control", "0.5")}${arm(1, "treatment", "0.5")}${arm(2, "", "")}
<button type="submit">Start experiment</button></form>`;
}

export async function overviewPage(db: D1Database, now = Date.now()) {
  const [live, versions, experiments] = await Promise.all([
    liveModelVersion(db),
    listModelVersions(db),
    listExperiments(db),
  ]);
  const shown = experiments.map(toExperiment);
  const running = shown.find((e) => e.status === "running");
  const focus = running ?? shown[0];
  const rows = await armMetrics(db, now - WEEK_MS, now, focus?.id ?? null);
  const chart = intervalChart(
    `Click-through per arm${focus ? ` (${focus.id})` : ""}, last 7 days`,
    rows.map((m) => ({ label: `${m.arm} · ${m.version}`, ...m.click_through })),
  );
  return html`<section aria-labelledby="live"><h2 id="live">Live version</h2>
<p>${live ? html`<strong>${live.version}</strong> (${live.model})` : html`none: <strong>${POPULARITY_VERSION}</strong> answers`}
${running ? html` · experiment <strong>${running.id}</strong> is running` : ""}</p></section>
<section aria-labelledby="online"><h2 id="online">Online metrics${focus ? ` · ${focus.id}` : ""}</h2>
${rows.length > 0 ? raw(chart) : ""}${verdict(rows)}${metricsTable(rows)}</section>
<section aria-labelledby="exps"><h2 id="exps">Experiments</h2>
${
  shown.length === 0
    ? html`<p class="muted">No experiments yet.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">Id</th><th scope="col">Status</th><th scope="col">Arms</th><th scope="col">Started (UTC)</th><th scope="col">Actions</th></tr></thead>
<tbody>${shown.map(experimentRow)}</tbody></table></div>`
}
${running ? "" : html`<h2>Start an experiment</h2>${startForm(versions.map((v) => v.version))}`}</section>`;
}
