"""The chat page in headless Chromium (Debian's, never a downloaded one): every request must stay on this machine."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rag import Assistant, Index
from ui.app import EXAMPLES, build_app, launch
from ui.net import free_port, is_loopback

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
#: Screenshots of test runs (git-ignored).
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 20_000


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return is_loopback(parts.hostname or "")


@pytest.fixture(scope="module")
def url(briefing_index: Index, assistant: Assistant) -> Iterator[str]:
    demo = build_app(briefing_index, assistant)
    try:
        yield launch(demo, "127.0.0.1", free_port())
    finally:
        demo.close(verbose=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`make browser` installs it)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page (a fresh chat) that fails the test on console errors and non-loopback requests."""
    context = browser.new_context(viewport={"width": 1360, "height": 1100})
    page = context.new_page()
    errors: list[str] = []
    remote: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if _is_local(r.url) else remote.append(r.url))
    page.goto(url)
    page.wait_for_selector("#question textarea", timeout=TIMEOUT)
    yield page
    context.close()
    assert not remote, f"requests left the machine: {remote}"
    assert not errors, f"console errors: {errors}"


def ask(page, question: str) -> object:  # type: ignore[no-untyped-def]
    """Ask through the text box; returns the finished answer (the last assistant message)."""
    done = page.locator("#chat .answer:not(.streaming)")
    before = done.count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .answer:not(.streaming)').length > {before}",
                           timeout=TIMEOUT)
    return done.last


def test_page_loads_with_index_panel_and_examples(page, briefing_index: Index) -> None:  # type: ignore[no-untyped-def]
    assert page.title() == "Briefing QA"
    panel = page.inner_text("#index-info")
    assert f"{len(briefing_index)} (" in panel and briefing_index.info()["model"] in panel
    for question in EXAMPLES[:2]:
        assert page.get_by_text(question, exact=True).count() == 1


def test_answer_cites_links_and_highlights(page) -> None:  # type: ignore[no-untyped-def]
    answer = ask(page, "Who was Korea's special representative on the Dec. 19 call?")
    cite = answer.locator("a.cite").first
    assert cite.inner_text() == "[1]" and cite.get_attribute("href") == "#src-1-1"
    source = page.locator("#src-1-1")
    assert "Kim Gun" in source.locator("mark").inner_text()
    assert "Dec. 19, 2023" in source.inner_text()  # a chronology source shows its date
    page.click("#inspector")
    rows = page.locator("#inspector div[role=row]")
    rows.first.wait_for(timeout=TIMEOUT)
    assert rows.count() >= 3 and rows.first.inner_text().startswith("1")
    assert "BM25 rank" in page.inner_text("#inspector") and "[1]" in rows.first.inner_text()


def test_clicking_a_marker_brings_its_source_into_view(page) -> None:  # type: ignore[no-untyped-def]
    answer = ask(page, "Which meetings took place in October 2023?")
    entries = answer.locator("ul.timeline li")
    assert entries.count() >= 10
    dates = answer.locator("ul.timeline time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates) and all(d.startswith("2023-10") for d in dates)
    last = entries.count()
    source = page.locator(f"#src-1-{last}")
    assert not source.is_visible()  # a long list of sources starts folded
    answer.locator(f'a.cite[href="#src-1-{last}"]').click()
    page.wait_for_timeout(800)  # smooth scrolling
    chat, box = page.locator("#chat").bounding_box(), source.bounding_box()
    assert source.is_visible() and chat and box
    assert chat["y"] <= box["y"] and box["y"] + box["height"] <= chat["y"] + chat["height"]
    assert "<mark>" in source.inner_html()


def test_markup_in_a_question_is_shown_not_run(page) -> None:  # type: ignore[no-untyped-def]
    question = '<script>window.__pwned = 1</script><img src="/nowhere.png" onerror="window.__pwned = 2"> Tokyo?'
    ask(page, question)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#chat img[onerror], #chat script").count() == 0
    assert page.get_by_text("<script>window.__pwned = 1</script>", exact=False).count() >= 1


def test_example_click_asks_it(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text(EXAMPLES[0], exact=True).click()
    page.wait_for_selector("#chat .answer:not(.streaming) .sources", timeout=TIMEOUT)
    answer = page.locator("#chat .answer").last
    assert "Tokyo" in answer.inner_text() and "answer abstained" not in answer.evaluate("e => e.className")


def test_date_filter(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#date-from input, #date-from textarea", "2023-12-01")
    page.fill("#date-to input, #date-to textarea", "2023-12-31")
    page.locator("#kinds").get_by_label("Articles").uncheck()
    answer = ask(page, "Which meetings took place?")
    dates = answer.locator("ul.timeline time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates and all("2023-12-01" <= d <= "2023-12-31" for d in dates)
    assert "chronology only" in answer.inner_text()


def test_abstention_looks_different(page) -> None:  # type: ignore[no-untyped-def]
    answer = ask(page, "What is the capital of France?")
    assert "Not in the briefing" in answer.inner_text() and answer.locator(".sources li").count() >= 1
    assert "abstained" in answer.get_attribute("class")
    color = answer.evaluate("e => getComputedStyle(e).borderLeftColor")
    plain = ask(page, EXAMPLES[0])
    assert plain.evaluate("e => getComputedStyle(e).borderLeftColor") != color


def test_follow_up_keeps_the_subject_and_screenshot(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "What did the Quad do in November?")
    answer = ask(page, "And in December?")
    assert "What did the Quad do in December?" in answer.locator(".interpreted").inner_text()
    assert "Quad" in answer.locator(".sources").inner_text() and answer.locator("mark").count() >= 1
    answer = ask(page, EXAMPLES[3])  # an article passage with one sentence highlighted: the best picture
    assert answer.locator("mark").inner_text() in answer.locator(".src-text").inner_text()
    page.click("#inspector")
    page.locator("#inspector div[role=row]").first.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    # The README's picture changes only when asked (`make screenshot`): a test run leaves the checkout clean.
    target = os.environ.get("BRIEFING_QA_SCREENSHOT")
    if target:
        Path(target).write_bytes(shot)


# --------------------------------------------------------------------------- the library, in the browser

NORDIC = """Undersea Cables
The Lantern Accord on undersea cables was signed in Reykjavik by both delegations on a cold morning.

Chronology
Jan. 5, 2024: Iceland and Norway met in Bergen to discuss fisheries quotas.
Jan. 9, 2024: Iceland's foreign minister visited Oslo for talks on Arctic shipping.
"""


@pytest.fixture
def library_page(browser, briefing_index: Index, embedder, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page over a copy of the session's index, which the test edits."""
    from rag.index import load_index

    target = tmp_path / "idx"
    shutil.copytree(briefing_index.index_dir, target, symlinks=True)
    index = load_index(target)
    demo = build_app(index, Assistant(index, embedder=embedder), stream_delay=0.0)
    url = launch(demo, "127.0.0.1", free_port())
    context = browser.new_context(viewport={"width": 1360, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(url)
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)
        yield page
    finally:
        context.close()
        demo.close(verbose=False)
    assert not errors, f"console errors: {errors}"


def test_add_ask_filter_open_source_export_remove(library_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = library_page
    upload = tmp_path / "nordic.txt"
    upload.write_text(NORDIC, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(upload))
    page.wait_for_timeout(800)
    page.click("#add-doc")
    page.wait_for_function("document.querySelector('#library-status').innerText.includes('searchable now')",
                           timeout=120_000)
    assert "2 briefings" in page.inner_text("#title") and "nordic" in page.inner_text("#index-info")

    # the document filter: only the new briefing
    page.locator("#docs input").fill("nordic")  # the searchable filter: type, pick
    page.get_by_role("option", name=re.compile(r"^nordic")).click()
    answer = ask(page, "Where was the Lantern Accord signed?")
    assert "Reykjavik" in answer.inner_text() and "nordic" in answer.locator(".sources").inner_text()

    # open the source: the whole document in the reader, scrolled to the highlighted sentence
    answer.locator("a.open-source").first.click()
    page.wait_for_selector("#reader #reader-mark", timeout=TIMEOUT)
    reader = page.inner_text("#reader")
    assert "Lantern Accord" in reader and "Arctic shipping" in reader
    page.wait_for_timeout(400)
    mark = page.locator("#reader-mark")
    assert mark.is_visible() and mark.inner_text() in answer.locator(".sources mark").first.inner_text()

    # export
    with page.expect_download(timeout=TIMEOUT) as download:
        page.click("#export")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Where was the Lantern Accord signed?" in text and "nordic" in text and "chars " in text

    # remove, with a confirmation
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="nordic").click()
    page.click("#remove-doc")
    page.wait_for_selector("#remove-yes", timeout=TIMEOUT)
    page.click("#remove-yes")
    page.wait_for_function("document.querySelector('#library-status').innerText.includes('Removed')",
                           timeout=120_000)
    assert "nordic" not in page.inner_text("#index-info") and "nordic" not in page.inner_text("#docs")
    answer = ask(page, "Where was the Lantern Accord signed?")
    assert "Reykjavik" not in answer.inner_text()


# --------------------------------------------------------------------------- uploads: every format, the limits

#: A two-page briefing laid out as a journal chapter: the compact is on page 2, the chronology on page 3.
PAGES = [
    ("Andean Ports Review", "Harbor Policy",
     ["Port authorities along the Pacific coast spent the year comparing customs rules and berth fees. "
      "Officials described the talks as slow but cordial, with most of the work done by technical staff."]),
    (None, "The Compact",
     ["The Harbor Compact on port inspections was signed in Valparaiso by the two transport ministers. "
      "It sets one inspection regime for container ships calling at either country's ports."]),
    (None, "Chronology",
     ["Feb. 2, 2024: Chile and Peru met in Lima to discuss port fees.",
      "Feb. 9, 2024: Peru's transport minister visited Santiago for talks on rail links."]),
]


def make_pdf(path: Path) -> Path:
    """A small PDF briefing with a running header and page numbers (fpdf2, core fonts)."""
    from fpdf import FPDF

    class Chapter(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 8, "Andean Ports Review, Spring 2024", align="C")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 8, str(self.page_no()), align="C")

    pdf = Chapter()
    for title, heading, paragraphs in PAGES:
        pdf.add_page()
        if title:
            pdf.set_font("Helvetica", "B", 18)
            pdf.multi_cell(0, 10, title)
            pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, heading)
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for text in paragraphs:
            pdf.multi_cell(0, 6, text)
            pdf.ln(3)
    pdf.output(str(path))
    return path


def choose(page, path_or_file) -> None:  # type: ignore[no-untyped-def]
    """Pick a file in the page's upload box, as a user would."""
    page.locator("#upload input[type=file]").set_input_files(path_or_file)


#: The library's status line itself, without Gradio's progress overlay.
STATUS = '#library-status [data-testid="markdown"]'


def status(page) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text(STATUS).strip()


def wait_status(page, text: str, before: str = "", timeout: int = TIMEOUT) -> None:  # type: ignore[no-untyped-def]
    """Wait for the library's status line to say `text`; fail at once if it says something else went wrong
    (a warning other than the one shown `before`)."""
    page.wait_for_function("([q, t, b]) => { const s = document.querySelector(q).innerText.trim();"
                           " return s.includes(t) || (s.includes('⚠️') && s !== b); }", arg=[STATUS, text, before],
                           timeout=timeout)
    assert text in status(page), status(page)


def test_a_pdf_briefing_is_added_with_progress_and_cited_by_page(library_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = library_page
    pdf = make_pdf(tmp_path / "andean-ports.pdf")
    assert ".pdf" in page.inner_text("#upload") and ".docx" in page.inner_text("#upload")  # the label lists them
    choose(page, str(pdf))
    wait_status(page, "Ready to add")
    # every text the status line shows while the briefing is added: the stages, then the result
    page.evaluate("""() => { window.__seen = []; const el = document.querySelector('#library-status');
        new MutationObserver(() => window.__seen.push(el.innerText)).observe(el, {subtree: true, childList: true,
        characterData: true, attributes: true}); }""")
    page.click("#add-doc")
    wait_status(page, "searchable now", timeout=180_000)
    seen = " | ".join(page.evaluate("window.__seen"))
    assert "Reading andean-ports.pdf" in seen and "Embedding" in seen and "Publishing" in seen, seen
    assert "andean-ports" in page.inner_text("#index-info")

    page.locator("#docs input").fill("andean")  # the searchable Documents filter: type, pick
    page.get_by_role("option", name=re.compile(r"^Andean|^andean")).click()
    answer = ask(page, "Where was the Harbor Compact signed?")
    assert "Valparaiso" in answer.inner_text()
    head = answer.locator(".sources .src-head").first.inner_text()
    assert "Andean Ports Review" in head and "p. 2" in head, head

    answer.locator("a.open-source").first.click()
    page.wait_for_selector("#reader #reader-mark", timeout=TIMEOUT)
    assert "p. 2" in page.inner_text("#reader .reader-head")
    with page.expect_download(timeout=TIMEOUT) as download:
        page.click("#export")
    assert ", p. 2, chars " in Path(download.value.path()).read_text(encoding="utf-8")


def test_refused_uploads_get_the_command_lines_one_line_without_a_server_path(library_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rag.parse import MAX_BYTES

    page = library_page
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/upload" in urlsplit(r.url).path else None)

    # too large: stopped before it is sent, with no pop-up
    choose(page, {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"a" * (MAX_BYTES + 1)})
    wait_status(page, "too large")
    assert status(page) == "⚠️ huge.txt: 21 MB is too large for a briefing (limit 20 MiB)."
    assert not uploads and page.locator(".toast-body").count() == 0

    # a format the library does not read
    before = status(page)
    choose(page, {"name": "slides.pptx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"})
    wait_status(page, "slides.pptx: only", before)
    assert status(page).startswith("⚠️ slides.pptx: only .txt, .md") and "(not .pptx)" in status(page)
    assert not uploads

    # dropped on the box rather than chosen: the same
    before = status(page)
    page.evaluate("""() => { const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(10)], 'notes.rtf'));
        document.querySelector('#upload button, #upload div').dispatchEvent(
            new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true})); }""")
    wait_status(page, "notes.rtf: only", before)
    assert not uploads

    # accepted by name and size, refused when read: the library's message names the file, not the server's copy
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"Title\n\x00\x01binary\n")
    choose(page, str(blob))
    wait_status(page, "Ready to add", status(page))
    assert uploads  # this one was sent
    page.click("#add-doc")
    wait_status(page, "binary")
    message = status(page)
    assert message.startswith("⚠️ blob.txt: ") and "/" not in message.split(":")[0] and "gradio" not in message
    assert len(message.splitlines()) == 1 and page.locator(".toast-body").count() == 0
