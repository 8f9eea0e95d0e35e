"""Official forms (別紙2 F01–F30): registry, context builders, templates and the PDF renderer."""
