// The few HTML pieces the report pages share: escaping, a table, and the page frame with its inline style.

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A table cell: plain text (escaped) or HTML the caller built from escaped parts. */
export type Cell = string | { readonly html: string };

const cell = (c: Cell): string => (typeof c === "string" ? escapeHtml(c) : c.html);

export function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return "<p>None.</p>";
  const th = head.some((h) => h !== "") ? `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` : "";
  return `<table>${th}<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("\n")}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#1b1b1b}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1em;margin:.8em 0 .2em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}
code{font:12px/1.3 ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.pass{color:#0a6b12;font-weight:600}.fail{color:#b00020;font-weight:700}.unknown{color:#8a5a00;font-weight:600}
iframe{width:100%;height:26em;border:1px solid #ddd}a{color:#0645ad}`;

/** A whole self-contained page: no script, no external stylesheet, font or image. */
export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self' data:">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}
