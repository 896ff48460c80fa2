"""The chat page: Gradio wiring around one `Assistant` (rendering lives in `ui.render`).

Example:
    >>> from rag import Assistant, open_index
    >>> index = open_index()  # doctest: +SKIP
    >>> demo = build_app(index, Assistant(index))  # doctest: +SKIP
    >>> url = launch(demo, "127.0.0.1", 7860)  # doctest: +SKIP
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from rag import Answer, Assistant, Filters, Index, RagError, Settings, open_index
from ui import render
from ui.style import CSS, HEAD, MONO, SANS

#: Questions the page offers; tests/test_ui.py checks the assistant answers each without abstaining.
EXAMPLES = [
    "Where did the Quad Senior Cyber Group meet in December?",
    "What did the Quad do in November?",
    "What happened on Nov. 16?",
    "Who was Korea's special representative on the Dec. 19 call?",
    "Which missile system will Japan send to the US?",
    "Which meetings took place in October 2023?",
]
#: Events running at once. Answering holds `ChatService.lock` (≈40 ms of CPU), so this mostly lets the
#: streaming of many users overlap; ten people asking at once are all served without waiting in line.
CONCURRENCY = 16
#: Pause between streamed chunks: the answer appears over ~0.3 s instead of at once.
STREAM_DELAY = 0.025


class ChatService:
    """The page's verbs, independent of widgets: ask (for the API) and respond (for the chat)."""

    def __init__(self, assistant: Assistant, stream_delay: float = STREAM_DELAY) -> None:
        self.assistant = assistant
        self.stream_delay = stream_delay
        # One tokenizer and one model serve every user. Hugging Face's fast tokenizers are not safe to call
        # from two threads at once ("Already borrowed"), and the answer is ~40 ms of CPU on two cores, so
        # answers run one at a time; streaming and network I/O stay concurrent.
        self.lock = threading.Lock()

    def answer(self, question: str, filters: Filters | None = None, previous: str | None = None) -> Answer:
        with self.lock:
            return self.assistant.answer(question, filters=filters, previous=previous or None)

    def ask(self, question: str, start: str = "", end: str = "", kinds: list[str] | None = None,
            previous: str = "") -> dict[str, Any]:
        """Answer a question about the briefing; returns the JSON of `rag ask --json`.

        Args:
            question: The question, in English.
            start: Earliest date of chronology entries to consider (YYYY-MM-DD), or empty.
            end: Latest date of chronology entries to consider (YYYY-MM-DD), or empty.
            kinds: Passage kinds to search: "article", "chronology" (default both).
            previous: The previous question, so that "And in December?" keeps its subject.
        """
        try:
            filters = render.make_filters(start, end, list(render.KINDS) if kinds is None else kinds)
            return self.answer(question, filters, previous).to_dict()
        except (ValueError, RagError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def respond(
        self, message: str, history: list[dict[str, Any]], start: str, end: str, kinds: Sequence[str],
        previous: str,
    ) -> Iterator[tuple[list[dict[str, Any]], str, Any, str]]:
        """Stream one chat turn: yields (history, message box, inspector rows, previous question)."""
        history = list(history or [])
        if not (message or "").strip():  # an empty message is ignored
            yield history, "", gr.skip(), previous
            return
        turn = 1 + sum(m.get("role") == "assistant" for m in history)
        history.append({"role": "user", "content": render.render_user(message)})
        try:
            filters = render.make_filters(start, end, kinds)
            answer = self.answer(message, filters, previous)
        except (ValueError, RagError) as exc:  # a refused question, a damaged index: say so, keep the page alive
            history.append({"role": "assistant", "content": render.render_error(str(exc))})
            yield history, "", gr.skip(), previous
            return
        history.append({"role": "assistant", "content": ""})
        if not answer.abstained:
            for partial in render.stream_steps(answer.text):
                history[-1] = {"role": "assistant", "content": render.render_partial(partial)}
                yield list(history), "", gr.skip(), previous
                time.sleep(self.stream_delay)
        history[-1] = {"role": "assistant", "content": render.render_answer(answer, turn, filters)}
        yield history, "", render.inspector_rows(answer), render.resolved_question(answer)


def build_app(index: Index, assistant: Assistant, examples: Sequence[str] = EXAMPLES,
              stream_delay: float = STREAM_DELAY) -> gr.Blocks:
    """The chat page for `assistant` over `index` (not launched; see `launch`)."""
    service = ChatService(assistant, stream_delay)
    with gr.Blocks(title="Briefing QA", analytics_enabled=False) as demo:
        gr.HTML("<h1>Briefing QA</h1><p>Ask about the US–Japan briefing (Sept.–Dec. 2023). "
                "Every answer quotes the briefing and cites its passages; click a [n] to see the source.</p>",
                elem_id="title")
        previous = gr.State("")
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
                example_list = gr.Examples(examples=[[q] for q in examples], inputs=[message],
                                           label="Examples (click to ask)", examples_per_page=len(examples))
            with gr.Column(scale=1, min_width=260):
                with gr.Accordion("Filters", open=True):
                    start = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="any date, e.g. 2023-11-01",
                                       elem_id="date-from")
                    end = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="any date, e.g. 2023-11-30",
                                     elem_id="date-to")
                    kinds = gr.CheckboxGroup(choices=[("Articles", "article"), ("Chronology", "chronology")],
                                             value=list(render.KINDS), label="Search in", elem_id="kinds")
                    gr.Markdown("Dates restrict chronology entries; they apply to the next question.",
                                elem_classes=["hint"])
                with gr.Accordion("Index", open=True):
                    gr.HTML(render.render_index_info(index.info()), elem_id="index-info")
                clear = gr.Button("New conversation", variant="secondary", size="sm")
        with gr.Accordion("Why these sources? (retrieved passages, last answer)", open=False, elem_id="inspector"):
            inspector = gr.Dataframe(headers=render.INSPECTOR_HEADERS, interactive=False, wrap=True,
                                     column_widths=["5%", "55%", "10%", "8%", "8%", "8%", "6%"])

        chat_inputs = [message, chatbot, start, end, kinds, previous]
        chat_outputs = [chatbot, message, inspector, previous]
        chat = {"fn": service.respond, "inputs": chat_inputs, "outputs": chat_outputs, "api_visibility": "private",
                "show_progress": "minimal"}
        message.submit(**chat)
        ask.click(**chat)
        example_list.load_input_event.then(**chat)
        reset = {"fn": lambda: ([], "", None, ""), "inputs": None,
                 "outputs": [chatbot, message, inspector, previous], "api_visibility": "private"}
        clear.click(**reset)
        chatbot.clear(**reset)  # the chat's own bin icon forgets the previous question too
        gr.api(service.ask, api_name="ask")
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
                enable_monitoring=False, show_error=False, max_file_size="1mb", theme=theme(), css=CSS, head=HEAD)
    return demo.local_url or f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 7860, index_dir: Path | None = None,
          auth: tuple[str, str] | None = None, settings: Settings | None = None) -> None:
    """Load the index once, warm the model up, print the URL and serve until interrupted.

    The index is loaded and the questions answered with the same `settings` (default: `Settings.from_env()`),
    so `RAG_MODEL=… rag serve` embeds questions with the model its index was built with, or refuses to start.
    """
    settings = settings or Settings.from_env()
    index = open_index(index_dir, settings)
    assistant = Assistant(index, settings=settings)
    started = time.perf_counter()
    assistant.answer(EXAMPLES[0])  # loads the model now, so the first reader does not wait for it
    print(f"Model ready in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    demo = build_app(index, assistant)
    url = launch(demo, host, port, auth)
    print(f"Briefing QA is running at {url}  (Ctrl-C to stop)", flush=True)
    try:
        demo.block_thread()
    finally:
        demo.close(verbose=False)
