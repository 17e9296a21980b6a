-- The Kamailio side of voipadmin: the outbox Kamailio writes its facts into (sqlops), read in id
-- order by the delivery process, and a minimal subscriber table for auth_db. Idempotent: run-kamailio
-- applies it at every start; an existing Kamailio `subscriber` table (kamdbctl) is left as it is.
CREATE TABLE IF NOT EXISTS voipadmin_outbox (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    at numeric(17, 6) NOT NULL,
    call_id text,
    cseq text,
    username text,
    contact text,
    expires integer,
    remote_ip text,
    remote_port integer,
    transport text,
    received text,
    user_agent text,
    sip_code integer,
    caller text,
    callee text,
    details text
);

CREATE OR REPLACE FUNCTION voipadmin_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('voipadmin_outbox', '');
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS voipadmin_outbox_notify ON voipadmin_outbox;
CREATE TRIGGER voipadmin_outbox_notify AFTER INSERT ON voipadmin_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION voipadmin_outbox_notify();

CREATE TABLE IF NOT EXISTS subscriber (
    id serial PRIMARY KEY,
    username varchar(64) NOT NULL DEFAULT '',
    domain varchar(64) NOT NULL DEFAULT '',
    password varchar(64) NOT NULL DEFAULT '',
    ha1 varchar(128) NOT NULL DEFAULT '',
    ha1b varchar(128) NOT NULL DEFAULT '',
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);
