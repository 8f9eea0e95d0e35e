"""F29 管理検診お知らせ for a contact's screening exam, filed with the contact."""
