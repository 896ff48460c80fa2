"""The chat page: Gradio wiring around one `Assistant` (rendering lives in `ui.render`).

Example:
    >>> from rag import Assistant, open_index
    >>> index = open_index()  # doctest: +SKIP
    >>> demo = build_app(index, Assistant(index))  # doctest: +SKIP
    >>> url = launch(demo, "127.0.0.1", 7860)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from rag import Answer, Assistant, Filters, Index, RagError, Settings, Writer, carried_question, open_index
from rag.index import load_index
from rag.layout import layout
from rag.library import doc_id_for
from rag.settings import DEFAULT_CORPUS
from ui import library_view, render, upload
from ui import written as written_view
from ui.examples import SHIPPED, examples_for
from ui.live import Live, Snapshot, few_malloc_arenas
from ui.net import is_loopback
from ui.style import CSS, HEAD, MONO, SANS

#: Questions the page offers for the shipped briefing, each with its expected answer in ui/examples.py
#: (tests/test_examples.py checks the assistant still gives it).
EXAMPLES = [e.question for e in SHIPPED]
#: Events running at once. Answers run in parallel (no lock; Python's GIL still makes them share one core),
#: and the streaming of many users overlaps; ten people asking at once are all served without waiting in line.
CONCURRENCY = 16
#: Pause between streamed chunks: the answer appears over ~0.3 s instead of at once.
STREAM_DELAY = 0.025


#: Largest upload Gradio accepts: just over the briefing limit (rag.parse.MAX_BYTES, 20 MiB). The page's own
#: script refuses a larger briefing before it is sent, with the command line's message (ui/upload.py); this is
#: the server's backstop for other clients.
MAX_UPLOAD = "21mb"
#: Where each stage of an addition (rag.library.add_documents' `on_progress`) sits on the page's progress bar,
#: and what the page says meanwhile.
STAGES = {"reading": (0.0, 0.15, "Reading {name}…"), "embedding": (0.15, 0.9, "Embedding its passages…"),
          "publishing": (0.9, 1.0, "Publishing the new library…")}
#: Gradio's progress tracker, injected into the add handler.
PROGRESS = gr.Progress()
#: Said when the page may not change the library (bound beyond loopback without --auth).
EDITS_REFUSED = ("Adding or removing briefings is allowed only when the page is served on loopback or with "
                 "--auth USER:PASS; restart `rag serve` so.")


class ChatService:
    """The page's verbs, independent of widgets: ask (for the API), respond (for the chat), and the library's
    add, remove and read.

    The shared `Index` and `Assistant` are swapped together, atomically, after an edit: questions asked while a
    briefing is being added are answered from the previous library.
    """

    def __init__(self, assistant: Assistant, stream_delay: float = STREAM_DELAY, allow_edits: bool = True) -> None:
        self.stream_delay = stream_delay
        self.allow_edits = allow_edits
        # No lock around answering: each request reads `self.live.current` once (an immutable index + assistant
        # pair, examples included) and answers from it; an edit, or a build another replica published, swaps in
        # a new pair with one assignment (ui/live.py).
        self.live = Live(Snapshot.of(assistant.index, assistant, EXAMPLES), self._reload)
        #: Serializes additions and removals of this page (the index's build lock serializes other processes).
        self.edit_lock = threading.Lock()
        self._writer: Writer | None = None

    def writer(self) -> Writer | None:
        """The written answers' writer for the current assistant, when a model server is configured."""
        assistant = self.assistant
        if not assistant.settings.llm_url:
            return None
        if self._writer is None or self._writer.assistant is not assistant:
            self._writer = Writer(assistant)
        return self._writer

    @property
    def assistant(self) -> Assistant:
        return self.live.current.assistant

    @property
    def index(self) -> Index:
        return self.live.current.index

    @property
    def examples(self) -> list[str]:
        """The example questions the page offers for the current library (each checked to be answered)."""
        return list(self.live.current.examples)

    @examples.setter
    def examples(self, examples: Sequence[str]) -> None:
        self.live.swap(replace(self.live.current, examples=tuple(examples)))

    def _snapshot(self, index: Index) -> Snapshot:
        old = self.assistant
        assistant = Assistant(index, settings=old.settings, embedder=old.retriever.embedder)
        return Snapshot.of(index, assistant, examples_for(index, assistant))

    def _reload(self) -> Snapshot:
        """The library another replica published to the same folder (`Live.fresh` calls it)."""
        old = self.assistant
        return self._snapshot(load_index(self.index.index_dir, old.settings, check_sources=False, verify=False))

    def doc_ids(self) -> list[str]:
        """The library's documents, after picking up a build another replica published."""
        return [s.doc for s in self.live.fresh().index.manifest.sources]

    def answer(self, question: str, filters: Filters | None = None, previous: str | None = None) -> Answer:
        return self.live.fresh().assistant.answer(question, filters=filters, previous=previous or None)

    def ask(self, question: str, start: str = "", end: str = "", kinds: list[str] | None = None,
            previous: str = "", docs: list[str] | None = None, write: bool = False) -> dict[str, Any]:
        """Answer a question about the library; returns the JSON of `rag ask --json`.

        Args:
            question: The question, in English.
            start: Earliest date of chronology entries to consider (YYYY-MM-DD), or empty.
            end: Latest date of chronology entries to consider (YYYY-MM-DD), or empty.
            kinds: Passage kinds to search: "article", "chronology" (default both).
            previous: The previous question as the assistant read it (the last answer's `resolved_question`),
                so that "And in December?" keeps its subject through a chain of follow-ups.
            docs: Document ids to search (default every document of the library).
            write: Also ask the configured model server for a written answer, every [n] checked ("written").
        """
        try:
            filters = render.make_filters(start, end, list(render.KINDS) if kinds is None else kinds,
                                          docs or None, self.doc_ids() if docs else None)
            answer = self.answer(question, filters, previous)
            writer = self.writer() if write else None
            return (writer.write(answer) if writer is not None else answer).to_dict()
        except (ValueError, RagError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def respond(
        self, message: str, history: list[dict[str, Any]], start: str, end: str, kinds: Sequence[str],
        previous: str, docs: Sequence[str] | None = None, turns: list[dict[str, Any]] | None = None,
        shown: Sequence[str] | None = None, write: bool = False,
    ) -> Iterator[tuple[list[dict[str, Any]], str, Any, str, list[dict[str, Any]]]]:
        """Stream one chat turn: yields (history, message box, inspector rows, previous question, turns so far).

        `docs` are the documents chosen in the filter out of those the page `shown` (none: every document; all
        of them: every document, one added since by another page included); one removed since is dropped.
        """
        history = list(history or [])
        turns = list(turns or [])
        if not (message or "").strip():  # an empty message is ignored
            yield history, "", gr.skip(), previous, turns
            return
        turn = 1 + sum(m.get("role") == "assistant" for m in history)
        history.append({"role": "user", "content": render.render_user(message)})
        try:
            known = self.doc_ids()
            docs = library_view.chosen(docs, shown, known)  # none chosen: every document
            filters = render.make_filters(start, end, kinds, docs, known if docs is not None else None)
            answer = self.answer(message, filters, previous)
        except (ValueError, RagError) as exc:  # a refused question, a damaged index: say so, keep the page alive
            history.append({"role": "assistant", "content": render.render_error(str(exc))})
            yield history, "", gr.skip(), previous, turns
            return
        history.append({"role": "assistant", "content": ""})
        writer = self.writer() if write else None
        if writer is not None:  # the written answer streams in, checked sentence by sentence, above the extractive one
            for w in writer.stream(answer):
                history[-1] = {"role": "assistant", "content": written_view.render_turn(answer, w, turn, filters)}
                yield list(history), "", gr.skip(), previous, turns
            answer = replace(answer, written=w)
        elif not answer.abstained:
            for partial in render.stream_steps(answer.text):
                history[-1] = {"role": "assistant", "content": render.render_partial(partial)}
                yield list(history), "", gr.skip(), previous, turns
                time.sleep(self.stream_delay)
        content = (render.render_answer(answer, turn, filters) if answer.written is None
                   else written_view.render_turn(answer, answer.written, turn, filters))
        history[-1] = {"role": "assistant", "content": content}
        turns.append(answer.to_dict())
        yield history, "", render.inspector_rows(answer), carried_question(answer), turns

    def example(self, position: int | None) -> str:
        """The example question at `position` of those the page shows."""
        examples = self.examples
        return examples[position] if position is not None and 0 <= position < len(examples) else ""

    # ------------------------------------------------------------------ the library

    def _check_edits(self) -> None:
        if not self.allow_edits:
            raise PermissionError(EDITS_REFUSED)

    def _swap(self, index: Index) -> None:
        self.live.swap(self._snapshot(index))  # answers running meanwhile finish on the previous pair

    def add(self, path: str | Path, doc_id: str | None = None,
            on_progress: Callable[[str, float], None] | None = None) -> Index:
        """Add (or replace) a briefing; the page answers from the previous library until it is published.

        `on_progress` is told the stages ("reading", "embedding", "publishing") and the fraction of each done.
        """
        from rag.library import add_documents

        self._check_edits()
        with self.edit_lock:
            old = self.assistant
            index = add_documents(self.index.index_dir, [path], doc_id=doc_id or None, settings=old.settings,
                                  embedder=old.retriever.embedder, progress=False, on_progress=on_progress)
            self._swap(index)
        return index

    def remove(self, doc_id: str) -> Index:
        from rag.library import remove_documents

        self._check_edits()
        with self.edit_lock:
            old = self.assistant
            index = remove_documents(self.index.index_dir, [doc_id], settings=old.settings,
                                     embedder=old.retriever.embedder, progress=False)
            self._swap(index)
        return index

    def add_api(self, file: str | None, doc_id: str = "") -> dict[str, Any]:
        """Add a briefing (any format `rag index add` reads) to the library; returns the library's documents."""
        try:
            if not file:
                raise ValueError(f"No file given; upload a briefing ({', '.join(upload.FILE_TYPES)}).")
            return {"documents": self.add(file, doc_id or None).library()}
        except (ValueError, RagError, PermissionError) as exc:
            raise gr.Error(upload.scrub(str(exc), file or ""), print_exception=False) from None

    def remove_api(self, doc_id: str) -> dict[str, Any]:
        """Remove a document (by id) from the library; returns the library's documents."""
        try:
            return {"documents": self.remove(doc_id).library()}
        except (ValueError, RagError, PermissionError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def read(self, request: str) -> str:
        """The reader panel for "doc|char_start|char_end|highlight_start|highlight_end" (a citation's offsets)."""
        doc, *numbers = (request or "").split("|")
        index = self.index
        if doc not in index.sources:
            return render.render_error(f"The document {doc!r} is no longer in the library.") if doc else ""
        try:
            start, end, hs, he = (int(n) for n in numbers)
        except ValueError:
            return render.render_error("That source link is damaged; ask the question again.")
        mine = layout(index).of_docs((doc,))  # the document's passages, found without decoding the others
        hit = mine[index.columns.char_start[mine] == start]
        passage = index.passages[int(hit[0])] if len(hit) else None
        where = render.where_in_source(passage) if passage is not None else ""
        title = passage.title if passage is not None else doc
        return render.render_reader(title, where, index.source(doc), start, end, hs, he)

    def export(self, turns: list[dict[str, Any]] | None) -> str | None:
        """The conversation as a Markdown file (its path), or None before the first answer."""
        if not turns:
            return None
        folder = Path(tempfile.mkdtemp(prefix="briefing-qa-"))
        path = folder / "conversation.md"
        path.write_text(render.export_markdown(turns), encoding="utf-8")
        return str(path)


def build_app(index: Index, assistant: Assistant, examples: Sequence[str] | None = None,
              stream_delay: float = STREAM_DELAY, allow_edits: bool = True) -> gr.Blocks:
    """The chat page for `assistant` over `index` (not launched; see `launch`).

    `allow_edits` lets the page add and remove briefings (`serve` allows it on loopback or with auth).
    """
    service = ChatService(assistant, stream_delay, allow_edits)
    shown = list(examples) if examples is not None else examples_for(index, assistant)
    service.examples = shown

    def refresh_library() -> tuple[str, str, Any, Any, Any, list[str]]:
        lib = service.index.library()
        choices = library_view.choices(lib)
        ids = [r["id"] for r in lib]
        return (render.render_header(lib, DEFAULT_CORPUS.stem), library_view.panel(service.index.info(), lib),
                gr.update(choices=choices, value=[]), gr.update(choices=choices, value=None),
                gr.update(samples=[[q] for q in service.examples]), ids)

    def find_documents(query: str) -> str:
        return library_view.panel(service.index.info(), service.index.library(), query or "")

    lib0 = index.library()
    choices0 = library_view.choices(lib0)
    with gr.Blocks(title="Briefing QA", analytics_enabled=False) as demo:
        header = gr.HTML(render.render_header(lib0, DEFAULT_CORPUS.stem), elem_id="title")
        previous = gr.State("")
        turns = gr.State([])
        #: The documents this page's filter lists; one added by another page since is searched too.
        shown_docs = gr.State([r["id"] for r in lib0])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", show_label=False, elem_id="chat", height=580,
                                     sanitize_html=True, render_markdown=True, latex_delimiters=[],
                                     feedback_options=None, buttons=["copy"],
                                     placeholder="Ask a question, or pick an example below.")
                with gr.Row():
                    message = gr.Textbox(placeholder="e.g. What did the Quad do in November?", show_label=False,
                                         container=False, scale=6, elem_id="question", max_lines=4)
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                llm = assistant.settings
                write = gr.Checkbox(label=written_view.SWITCH_LABEL, value=False, visible=bool(llm.llm_url),
                                    elem_id="write", info=f"{llm.llm_model or 'the server’s model'} at {llm.llm_url}")
                example_list = gr.Dataset(components=[message], samples=[[q] for q in shown],
                                          label="Examples (click to ask)", samples_per_page=8, elem_id="examples",
                                          type="index")
                reader = gr.HTML("", elem_id="reader")
            with gr.Column(scale=1, min_width=260):
                with gr.Accordion("Filters", open=True):
                    start = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="any date, e.g. 2023-11-01",
                                       elem_id="date-from")
                    end = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="any date, e.g. 2023-11-30",
                                     elem_id="date-to")
                    kinds = gr.CheckboxGroup(choices=[("Articles", "article"), ("Chronology", "chronology")],
                                             value=list(render.KINDS), label="Search in", elem_id="kinds")
                    docs = gr.Dropdown(choices=choices0, value=[], multiselect=True, filterable=True,
                                       label="Documents (none chosen: all)", elem_id="docs",
                                       info="Type a title, id or year to find a document.")
                    gr.Markdown("Dates restrict chronology entries; they apply to the next question.",
                                elem_classes=["hint"])
                with gr.Accordion("Index", open=True):
                    find = gr.Textbox(placeholder="Find a document (title, id, year)", show_label=False,
                                      container=False, elem_id="library-search")
                    info = gr.HTML(library_view.panel(index.info(), lib0), elem_id="index-info")
                with gr.Accordion("Library", open=allow_edits, visible=allow_edits, elem_id="library"):
                    chosen = gr.File(label=upload.label(), file_types=upload.FILE_TYPES, file_count="single",
                                     type="filepath", elem_id="upload")
                    add = gr.Button("Add a briefing", size="sm", elem_id="add-doc")
                    status = gr.Markdown("", elem_id="library-status")
                    to_remove = gr.Dropdown(choices=choices0, value=None, label="Remove a document",
                                            elem_id="remove-choice")
                    remove = gr.Button("Remove…", size="sm", variant="stop", elem_id="remove-doc")
                    with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
                        confirm = gr.Button("Yes, remove it", size="sm", variant="stop", elem_id="remove-yes")
                        cancel = gr.Button("Cancel", size="sm", elem_id="remove-no")
                download = gr.DownloadButton("Download conversation", value=None, size="sm", elem_id="export")
                clear = gr.Button("New conversation", variant="secondary", size="sm")
        with gr.Accordion("Why these sources? (retrieved passages, last answer)", open=False, elem_id="inspector"):
            inspector = gr.Dataframe(headers=render.INSPECTOR_HEADERS, interactive=False, wrap=True,
                                     column_widths=["5%", "55%", "10%", "8%", "8%", "8%", "6%"])
        # hidden by CSS, not `visible=False`: the page's script fills them when a source link is clicked
        reader_request = gr.Textbox(elem_id="reader-request", show_label=False, container=False)
        reader_open = gr.Button("open", elem_id="reader-open")
        # hidden by CSS too: the upload script hands them a file it refused before sending it
        refused_request = gr.Textbox(elem_id="upload-refused", show_label=False, container=False)
        refused_open = gr.Button("refused", elem_id="upload-refused-go")
        api_file = gr.File(visible=False)
        api_id = gr.Textbox(visible=False)
        api_out = gr.JSON(visible=False)
        api_add = gr.Button(visible=False)

        chat_inputs = [message, chatbot, start, end, kinds, previous, docs, turns, shown_docs, write]
        chat_outputs = [chatbot, message, inspector, previous, turns]
        chat = {"fn": service.respond, "inputs": chat_inputs, "outputs": chat_outputs, "api_visibility": "private",
                "show_progress": "minimal"}
        export = {"fn": service.export, "inputs": [turns], "outputs": [download], "api_visibility": "private"}
        message.submit(**chat).then(**export)
        ask.click(**chat).then(**export)
        # by position in the service's own list: the shown samples change with the library
        example_list.click(service.example, inputs=[example_list], outputs=[message],
                           api_visibility="private").then(**chat).then(**export)
        reset = {"fn": lambda: ([], "", None, "", [], None, ""), "inputs": None,
                 "outputs": [chatbot, message, inspector, previous, turns, download, reader],
                 "api_visibility": "private"}
        clear.click(**reset)
        chatbot.clear(**reset)  # the chat's own bin icon forgets the previous question too
        reader_open.click(service.read, inputs=[reader_request], outputs=[reader], api_visibility="private").then(
            None, js="() => { setTimeout(() => { const m = document.getElementById('reader-mark');"
                     " if (m) { m.scrollIntoView({block: 'center'}); } }, 150); }")

        library_outputs = [header, info, docs, to_remove, example_list, shown_docs]
        find.change(find_documents, inputs=[find], outputs=[info], api_visibility="private",
                    show_progress="hidden")

        def add_from_page(path: str | None, progress: gr.Progress = PROGRESS) -> tuple[Any, ...]:
            try:
                if not path:
                    raise ValueError(f"Choose a briefing file first ({', '.join(upload.FILE_TYPES)}).")
                name = Path(path).name

                def stage(what: str, fraction: float) -> None:
                    low, high, desc = STAGES[what]
                    progress(low + (high - low) * fraction, desc=desc.format(name=name))

                index = service.add(path, on_progress=stage)
                row = next((r for r in index.library() if r["id"] == doc_id_for(Path(path))), None)
                note = (f"Added **{row['title']}** ({row['passages']} passages); it is searchable now."
                        if row else "Added.")
            except (ValueError, RagError, PermissionError) as exc:
                return (f"⚠️ {upload.scrub(str(exc), path or '')}", None, *(gr.skip() for _ in library_outputs))
            return (note, None, *refresh_library())

        def check_upload(path: str | None) -> tuple[str, Any]:
            """At once on upload: the library's refusal by name and size (when the script could not stop it)."""
            if not path:
                return "", gr.skip()
            file = Path(path)
            refused = upload.refusal(file.name, file.stat().st_size)
            if refused:
                return f"⚠️ {refused}", None
            return f"Ready to add **{file.name}**; press “Add a briefing”.", gr.skip()

        def refused_upload(request: str) -> tuple[str, Any]:
            """The message for a file the page's script refused before sending it (its name and size)."""
            try:
                chosen_file = json.loads(request or "{}")
                refused = upload.refusal(str(chosen_file["name"]), int(chosen_file["size"]))
            except (ValueError, KeyError, TypeError):
                return "", gr.skip()
            return (f"⚠️ {refused}" if refused else ""), None

        chosen.upload(check_upload, inputs=[chosen], outputs=[status, chosen], api_visibility="private")
        chosen.clear(lambda: "", outputs=[status], api_visibility="private")
        refused_open.click(refused_upload, inputs=[refused_request], outputs=[status, chosen],
                           api_visibility="private")
        add.click(add_from_page, inputs=[chosen], outputs=[status, chosen, *library_outputs],
                  api_visibility="private", concurrency_limit=1)
        remove.click(lambda doc: (gr.update(visible=bool(doc)), "" if doc else "Choose a document to remove."),
                     inputs=[to_remove], outputs=[confirm_row, status], api_visibility="private")
        cancel.click(lambda: gr.update(visible=False), outputs=[confirm_row], api_visibility="private")

        def remove_from_page(doc: str | None) -> tuple[Any, ...]:
            try:
                if not doc:
                    raise ValueError("Choose a document to remove.")
                service.remove(doc)
            except (ValueError, RagError, PermissionError) as exc:
                return (f"⚠️ {exc}", gr.update(visible=False), *(gr.skip() for _ in library_outputs))
            return (f"Removed **{doc}**.", gr.update(visible=False), *refresh_library())

        confirm.click(remove_from_page, inputs=[to_remove], outputs=[status, confirm_row, *library_outputs],
                      api_visibility="private", concurrency_limit=1)
        demo.load(refresh_library, outputs=library_outputs, api_visibility="private")
        gr.api(service.ask, api_name="ask")
        api_add.click(service.add_api, inputs=[api_file, api_id], outputs=[api_out], api_name="add_document",
                      concurrency_limit=1)
        gr.api(service.remove_api, api_name="remove_document")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=128)
    return demo


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts: the page fetches no web fonts."""
    return gr.themes.Default(primary_hue="indigo", neutral_hue="slate", font=SANS, font_mono=MONO)


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860,
           auth: tuple[str, str] | None = None, quiet: bool = True) -> str:
    """Start serving in the background (no share link, no SSR node server) and return the local URL."""
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, prevent_thread_lock=True,
                quiet=quiet, inbrowser=False, ssr_mode=False, pwa=False, mcp_server=False,
                enable_monitoring=False, show_error=False, max_file_size=MAX_UPLOAD, theme=theme(),
                css=CSS + written_view.CSS,
                head=HEAD + upload.guard_script())
    return demo.local_url or f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 7860, index_dir: Path | None = None,
          auth: tuple[str, str] | None = None, settings: Settings | None = None) -> None:
    """Load the index once, warm the model up, print the URL and serve until interrupted.

    The index is loaded and the questions answered with the same `settings` (default: `Settings.from_env()`),
    so `RAG_MODEL=… rag serve` embeds questions with the model its index was built with, or refuses to start.
    """
    settings = settings or Settings.from_env()
    few_malloc_arenas()  # answers run on many threads (ui/live.py)
    index = open_index(index_dir, settings)
    assistant = Assistant(index, settings=settings)
    started = time.perf_counter()
    assistant.answer(EXAMPLES[0])  # loads the model now, so the first reader does not wait for it
    print(f"Model ready in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    demo = build_app(index, assistant, allow_edits=is_loopback(host) or auth is not None)
    url = launch(demo, host, port, auth)
    print(f"Briefing QA is running at {url}  (Ctrl-C to stop)", flush=True)
    try:
        demo.block_thread()
    finally:
        demo.close(verbose=False)
