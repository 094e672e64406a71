"""Every text form of the calculators' results, and of the data tables, in one place.

Layers, bottom up (each imports only the ones above it in this list, plus the typed data):

- `numbers`: number formats (money, person-days, scores); `style`: how a form writes a figure
  with its unit and escapes text (prose, plain text, Markdown, HTML).
- `rows`: sentences for table rows (a band, a fee item, a grade, an indicator category). The
  corpus renders its `{{data:...}}` tables with these and the calculators' citations quote them,
  so a document and a quote cannot state different figures. Sits below corpus and calculators.
- `phrases`: sentences about a quote or rating shared by several forms (a gap to a grade, the
  person-day summary, caveats, assumptions); `basis`: the table rows and arithmetic a result
  cites, as passages; `citations`: the shared [n] numberer lives in `assistant.citations`.
- One module per form: `data` (JSON objects), `chat` (cited answers), `text` (CLI), `document`
  (the quote document every file format lays out), `markdown`, `pdf`, `xlsx`, `html`.

This package's `__init__` imports nothing, so the corpus can use `rows` without loading the
calculators.
"""
