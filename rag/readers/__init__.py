"""One reader per file format, each `read(path, raw) -> rag.parse.Reading`; `rag.parse.parse` picks one by suffix.

- `text`: plain text in the journal's layout (a paragraph per line, headings as short lines);
- `markdown`: ATX and setext headings, paragraphs, lists, tables (a table of dated rows is a chronology);
- `pdf`, `html`, `docx`: the text extracted and laid out as the text format would be (`layout.Layout`).
"""
