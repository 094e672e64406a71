"""Quotes as sales staff use them: issued, numbered, saved, exported, made in batches.

- `issue`: what issuing adds to a calculated quote (number, dates, customer contact, seller);
- `settings`: the seller block and the validity period, from `$ASSISTANT_HOME/settings.yaml` or
  the environment;
- `register`: the quote register in the project's SQLite database (`assistant.db`);
- `codec`: a quote as stored JSON and back, so a saved quote re-renders exactly as issued;
- `files`: writing a quote document as PDF, Markdown or XLSX, never half-written;
- `batch`: a CSV/XLSX list of companies in, one quote file per company and `汇总.xlsx` out;
- `chat`: the chat's "生成报价单"; `cli`: `assistant quote list|show|export|--batch`;
  `ui`: the register and batch parts of the 快速报价 tab.

This `__init__` imports nothing, so the quote path loads only what it uses.
"""
