"""Generated documents (帳票) opened as PDF in the browser."""
