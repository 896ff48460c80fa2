"""The page's look: a theme with system fonts only (nothing fetched from a font CDN), CSS, and the
small script that scrolls a clicked `[n]` to its source."""

from __future__ import annotations

SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans",
        "Liberation Sans", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono", "Liberation Mono", "monospace"]

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#title h1 { margin: 0.2em 0 0 0; font-size: 1.6em; }
#title p { margin: 0.2em 0 0.6em 0; color: var(--body-text-color-subdued); }
.answer p { margin: 0.25em 0 0.5em 0; }
.answer .interpreted { font-size: 0.82em; color: var(--body-text-color-subdued); margin-bottom: 0.45em; }
.answer .interpreted .label { font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; font-size: 0.9em; }
.answer .interpreted .note { font-style: italic; }
.answer a.cite { text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 1px;
  font-size: 0.85em; vertical-align: baseline; cursor: pointer; }
.answer a.cite:hover { text-decoration: underline; }
.answer .verdict { margin: 0 0 0.3em 0; font-size: 1.02em; }
.answer.abstained { border-left: 4px solid #d97706; padding: 0.35em 0 0.35em 0.75em;
  background: rgba(217, 119, 6, 0.07); border-radius: 4px; }
.answer.abstained .verdict { color: #b45309; }
.answer.error { border-left: 4px solid #dc2626; padding: 0.35em 0 0.35em 0.75em;
  background: rgba(220, 38, 38, 0.07); border-radius: 4px; }
.answer.error .verdict { color: #b91c1c; }
.answer.streaming p::after { content: "▍"; opacity: 0.5; }
.answer ul.timeline { list-style: none; padding-left: 0; margin: 0.3em 0; }
.answer ul.timeline li { padding: 0.2em 0 0.2em 0.7em; border-left: 2px solid var(--border-color-primary); }
.answer ul.timeline time { font-weight: 600; margin-right: 0.35em; white-space: nowrap; }
.answer details.sources { margin-top: 0.6em; border-top: 1px solid var(--border-color-primary); padding-top: 0.4em; }
.answer details.sources summary { cursor: pointer; font-weight: 600; font-size: 0.9em; }
.answer ol.src-list { list-style: none; padding-left: 0; margin: 0.4em 0 0 0; }
.answer li.source { margin: 0 0 0.5em 0; padding: 0.45em 0.6em; border-radius: 6px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  transition: box-shadow 0.3s; scroll-margin: 80px; }
.answer li.source.flash, .answer li.source:target { box-shadow: 0 0 0 2px var(--color-accent); }
.answer .src-head { font-size: 0.82em; color: var(--body-text-color-subdued); margin-bottom: 0.2em; }
.answer .src-n { font-weight: 700; color: var(--color-accent); }
.answer .src-kind { float: right; text-transform: uppercase; font-size: 0.85em; letter-spacing: 0.04em; }
.answer .src-text { font-size: 0.9em; line-height: 1.45; }
.answer mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.answer .meta { font-size: 0.75em; color: var(--body-text-color-subdued); margin-top: 0.3em; }
#reader-request, #reader-open, #upload-refused, #upload-refused-go { display: none !important; }
.answer a.open-source { font-size: 0.78em; text-decoration: none; color: var(--color-accent); }
.answer .src-title { font-weight: 600; }
#reader .reader { margin-top: 0.6em; border: 1px solid var(--border-color-primary); border-radius: 6px; }
#reader .reader-head { font-size: 0.85em; padding: 0.4em 0.6em; border-bottom: 1px solid var(--border-color-primary); }
#reader .reader-text { white-space: pre-wrap; max-height: 420px; overflow-y: auto; padding: 0.5em 0.7em;
  font-size: 0.9em; line-height: 1.5; }
#reader .reader-passage { background: rgba(99, 102, 241, 0.08); }
#reader mark { background: #fde68a; color: inherit; }
ul.library { list-style: none; padding-left: 0; font-size: 0.85em; margin: 0.4em 0 0 0; }
ul.library li { margin-bottom: 0.3em; }
ul.library .doc-meta { display: block; color: var(--body-text-color-subdued); font-size: 0.9em; }
table.index-info { font-size: 0.85em; width: 100%; border-collapse: collapse; border: none !important; }
table.index-info tr, table.index-info th, table.index-info td { border: none !important; background: none !important; }
table.index-info th { text-align: left; padding: 2px 8px 2px 0; vertical-align: top; white-space: nowrap;
  color: var(--body-text-color-subdued); font-weight: 600; }
table.index-info td { padding: 2px 0; word-break: break-word; }
"""

#: Scroll to a source when its `[n]` is clicked (captured before any other handler, so a link never
#: navigates away), opening its folded panel first.
HEAD = """
<script>
function openReader(link) {
  var box = document.querySelector("#reader-request textarea, #reader-request input");
  var go = document.querySelector("#reader-open");
  if (!link || !box || !go) { return; }
  box.value = (link.getAttribute("href") || "").replace(/^#open:/, "").split(":").join("|");
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(function () { go.click(); }, 60);
}
document.addEventListener("click", function (event) {
  var opener = event.target && event.target.closest ? event.target.closest("a.open-source") : null;
  if (opener) {
    event.preventDefault();
    event.stopPropagation();
    openReader(opener);
    return;
  }
  var link = event.target && event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) { return; }
  var id = link.getAttribute("data-src") || (link.getAttribute("href") || "").slice(1);
  var target = document.getElementById(id);
  event.preventDefault();
  event.stopPropagation();
  if (!target) { return; }
  var box = target.closest("details");
  if (box) { box.open = true; }
  target.scrollIntoView({ behavior: "smooth", block: "center" });
  openReader(target.querySelector("a.open-source"));
  target.classList.add("flash");
  setTimeout(function () { target.classList.remove("flash"); }, 1600);
}, true);
</script>
"""
