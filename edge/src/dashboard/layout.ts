import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1b1b1b;background:#f6f6f4}
a{color:#1f5fa8}header{background:#1b2a3a;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header strong{margin-right:auto}header a{color:#fff}header a[aria-current]{text-decoration:underline 2px}
nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}main{max-width:64rem;margin:0 auto;padding:1rem}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:0 0 1rem}
h1{font-size:1.35rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
form.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}label{display:flex;flex-direction:column;font-size:.85rem;gap:.15rem}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #888;border-radius:4px;min-height:2.2rem}
button{background:#1f5fa8;color:#fff;border-color:#1f5fa8;cursor:pointer}button.secondary{background:#fff;color:#1f5fa8}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.3rem}
.alert{border-left:4px solid #c0392b;background:#fdecea;padding:.5rem .8rem;margin:0 0 1rem}.ok{border-left-color:#2e7d32;background:#e8f5e9}
.muted{color:#666;font-size:.9rem}progress{width:12rem;height:1rem}code{font-size:.9em}
@media (max-width:40rem){main{padding:.5rem}form.row{flex-direction:column;align-items:stretch}th,td{padding:.25rem}}`;

const PAGES = [
  ["/dashboard", "Overview"],
  ["/dashboard/models", "Versions"],
  ["/dashboard/jobs", "Training"],
  ["/dashboard/try", "Try it"],
] as const;

/** The page shell: header navigation (the current page marked), one main landmark, no script. */
export function page(title: string, path: string, body: Html, notice?: { text: string; ok?: boolean }) {
  const nav =
    path === "/dashboard/login"
      ? ""
      : PAGES.map(
          ([href, name]) =>
            html`<a href="${href}" ${href === path ? html`aria-current="page"` : ""}>${name}</a>`,
        );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · genrec</title><style>${CSS}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><strong>genrec dashboard</strong><nav aria-label="pages">${nav}</nav>
${path === "/dashboard/login" ? "" : html`<form method="post" action="/dashboard/logout"><button class="secondary" type="submit">Log out</button></form>`}</header>
<main id="main" tabindex="-1"><h1>${title}</h1>
${notice ? html`<p class="alert${notice.ok ? " ok" : ""}" role="${notice.ok ? "status" : "alert"}">${notice.text}</p>` : ""}
${body}</main></body></html>`;
}
