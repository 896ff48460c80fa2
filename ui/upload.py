"""Uploads on the chat page: which files it takes, the script that refuses the others before they are sent,
and the library's messages with the server's upload folder taken out.

The checks are the library's own (`rag.library.check_file`): the page says what `rag index add` says, with the
file's own name where the command line names its path.

Example:
    >>> scrub("/tmp/gradio/4f1c/nordic.pdf: looks binary.", "/tmp/gradio/4f1c/nordic.pdf")
    'nordic.pdf: looks binary.'
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rag.library import check_file
from rag.parse import MAX_BYTES, SUFFIXES

#: The file picker offers these (the suffixes the library reads).
FILE_TYPES = list(SUFFIXES)
#: The limit as people write it, for the label and the README.
LIMIT = f"{MAX_BYTES // 2**20} MiB"


def label() -> str:
    """The upload box's label: the formats it takes and the size limit.

    Example:
        >>> label().startswith("Add a briefing (.txt, .md")
        True
    """
    return f"Add a briefing ({', '.join(SUFFIXES)}; up to {LIMIT})"


def scrub(message: str, path: str | Path) -> str:
    """`message` with the folder the upload was saved in removed, so it names the file as the user chose it.

    Gradio keeps an upload's own name in a fresh temporary folder; the library's messages name the whole path
    (as typed on the command line), and a resolved one where it compares documents.
    """
    path = Path(path)
    for folder in dict.fromkeys((str(path.parent), os.path.realpath(path.parent))):
        message = message.replace(folder + os.sep, "")
    return message


def refusal(name: str, size: int) -> str:
    """What the library says of a file called `name` of `size` bytes before reading it, or "" when it would
    read it (the message the page shows when its script stopped the upload)."""
    from rag import RagError

    try:
        check_file(Path(Path(name).name), size)
    except RagError as exc:
        return str(exc)
    return ""


def guard_script() -> str:
    """A script for the page's head that refuses, before anything is sent, a file the library would refuse by
    its name or size: it clears the choice and hands the name and size to the hidden `#upload-refused` box,
    whose button asks the server for the library's message (Gradio's own limit would show a pop-up instead).
    """
    config = json.dumps({"suffixes": [s.lower() for s in SUFFIXES], "maxBytes": MAX_BYTES})
    return _GUARD.replace("__LIMITS__", config)


_GUARD = """
<script>
(function () {
  var limits = __LIMITS__;
  function refused(files) {
    for (var i = 0; i < files.length; i++) {
      var name = files[i].name || "", dot = name.lastIndexOf(".");
      var suffix = dot > 0 ? name.slice(dot).toLowerCase() : "";
      if (limits.suffixes.indexOf(suffix) < 0 || files[i].size > limits.maxBytes) { return files[i]; }
    }
    return null;
  }
  function report(file) {
    var box = document.querySelector("#upload-refused textarea, #upload-refused input");
    var go = document.querySelector("#upload-refused-go");
    if (!box || !go) { return; }
    box.value = JSON.stringify({ name: file.name, size: file.size });
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () { go.click(); }, 60);
  }
  function guard(event, files, input) {
    var file = files ? refused(files) : null;
    if (!file) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (input) { input.value = ""; }
    report(file);
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("#upload input[type=file]")) { guard(event, input.files, input); }
  }, true);
  document.addEventListener("drop", function (event) {
    var zone = event.target && event.target.closest ? event.target.closest("#upload") : null;
    if (zone && event.dataTransfer) { guard(event, event.dataTransfer.files, null); }
  }, true);
})();
</script>
"""
