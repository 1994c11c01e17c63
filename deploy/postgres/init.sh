#!/usr/bin/env bash
# Sample database and the least-privilege role the database server connects as (see servers/Connectors.Database/README.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U postgres -v reader_password="$CONNECTORS_READER_PASSWORD" <<'SQL'
CREATE DATABASE sample;
\connect sample
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, country text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL);
INSERT INTO customers (id, name, country) SELECT g, 'Customer ' || g, (ARRAY['DE','FR','US','JP'])[1 + g % 4] FROM generate_series(1, 200) g;
INSERT INTO orders SELECT g, 1 + g % 200, round((random() * 500)::numeric, 2), now() - g * interval '1 hour' FROM generate_series(1, 5000) g;
CREATE ROLE connectors_reader LOGIN PASSWORD :'reader_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER ROLE connectors_reader SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE sample TO connectors_reader;
GRANT USAGE ON SCHEMA public TO connectors_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO connectors_reader;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
