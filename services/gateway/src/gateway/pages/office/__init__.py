"""What makes the system fit an office (issue 23): help texts, notices, FAQ, manuals, the accessibility page,
the postal-code table and the 外字 check of typed names."""
