"""Administration pages under /admin: ユーザ管理, 権限設定, ログイン履歴, 操作履歴 (R32, R34, R36)."""
