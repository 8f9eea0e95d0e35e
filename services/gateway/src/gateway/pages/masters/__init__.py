"""マスタ管理: the master lists, a row with its history, its edits and end, import and export, and the pickers."""
