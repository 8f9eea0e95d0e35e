"""Routes per document type (担当 → 係長 → 課長 → 所長 by default), kept by administrators."""
