import type { RecommendResponse } from "@genrec/shared";
import { html } from "hono/html";

/** Titles of `ids` from the catalogue, by id. */
export async function titles(db: D1Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare("SELECT id, title FROM items WHERE id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(ids))
    .all<{ id: string; title: string | null }>();
  return new Map(results.map((r) => [r.id, r.title ?? ""]));
}

export interface TryInput {
  user?: string | undefined;
  items?: string | undefined;
}

/** The try-it form and, after a request, the answer with item titles. */
export function tryPage(input: TryInput, answer: RecommendResponse | null, names: Map<string, string>) {
  const result = answer
    ? html`<section aria-labelledby="answer"><h2 id="answer">${answer.items.length} items from ${answer.model_version} (${answer.model})</h2>
${answer.fallback ? html`<p class="muted">Answered by a fallback: ${answer.fallback.reason} (instead of ${answer.fallback.from_version}).</p>` : ""}
<ol>${answer.items.map((i) => html`<li><strong>${names.get(i.item_id) || "(no title)"}</strong> <code>${i.item_id}</code> <span class="muted">${i.score.toFixed(4)}</span></li>`)}</ol>
<p class="muted">recommendation_id ${answer.recommendation_id}; previews are not counted as served traffic.</p></section>`
    : "";
  return html`<section><form class="row" method="get" action="/dashboard/try">
<label>User id<input name="user" value="${input.user ?? ""}" autocomplete="off"></label>
<span class="muted">or</span>
<label>Item ids (comma-separated history, oldest first)<input name="items" value="${input.items ?? ""}" size="40" autocomplete="off"></label>
<button type="submit">Recommend</button></form></section>${result}`;
}
