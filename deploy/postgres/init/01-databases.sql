-- tbms: one PostgreSQL instance, one database per service plus Keycloak's own database.
-- Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d),
-- as the superuser POSTGRES_USER (= tbms).
-- tbms: 1 つの PostgreSQL に、サービスごとのデータベースと Keycloak 専用のデータベースを作る。

CREATE DATABASE tbms_gateway;
CREATE DATABASE tbms_patients;
CREATE DATABASE tbms_contacts;
CREATE DATABASE tbms_reports;
CREATE DATABASE tbms_search;
CREATE DATABASE tbms_identity;
CREATE DATABASE tbms_masters;
CREATE DATABASE tbms_workflow;
CREATE DATABASE keycloak;

-- Nobody but the owner may connect to a service database by default.
REVOKE CONNECT ON DATABASE tbms_gateway, tbms_patients, tbms_contacts, tbms_reports,
    tbms_search, tbms_identity, tbms_masters, tbms_workflow, keycloak FROM PUBLIC;
