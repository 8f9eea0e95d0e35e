"""The run-time role's grants: rows of its own database, no schema, and identity's history append-only."""

from tbms_core.db_roles import grants, runtime_role


def test_the_role_gets_rows_not_the_schema_and_public_loses_its_rights() -> None:
    statements = grants("patients", "tbms_patients", "tbms")
    assert runtime_role("patients") == "tbms_patients_app"
    assert 'REVOKE ALL ON DATABASE "tbms_patients" FROM PUBLIC' in statements
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "tbms_patients_app"' in statements
    assert not any("CREATE" in s and "GRANT" in s and "SCHEMA public TO" in s for s in statements)
    assert not any("TRUNCATE" in s or "ALL PRIVILEGES" in s for s in statements)


def test_identitys_history_is_append_only_for_its_role() -> None:
    statements = grants("identity", "tbms_identity", "tbms")
    assert statements.index('REVOKE ALL ON "audit_events" FROM "tbms_identity_app"') < statements.index(
        'GRANT SELECT, INSERT ON "audit_events" TO "tbms_identity_app"'
    )
    assert 'GRANT SELECT ON "audit_chain_checkpoint" TO "tbms_identity_app"' in statements
    assert not any("audit_events" in s for s in grants("patients", "tbms_patients", "tbms"))


def test_names_are_quoted() -> None:
    assert 'GRANT CONNECT, TEMPORARY ON DATABASE "odd""name" TO "tbms_x_app"' in grants("x", 'odd"name', "tbms")


def test_the_versions_of_the_gateways_edited_texts_are_append_only_for_its_role() -> None:
    statements = grants("gateway", "tbms_gateway", "tbms")
    assert statements.index('REVOKE ALL ON "help_text_versions" FROM "tbms_gateway_app"') < statements.index(
        'GRANT SELECT, INSERT ON "help_text_versions" TO "tbms_gateway_app"'
    )
    assert not any("help_text_versions" in s for s in grants("patients", "tbms_patients", "tbms"))
