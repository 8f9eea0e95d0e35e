"""The gateway's pages, one package per page family; a family never imports another."""
