-- foundation: officials, developers and their keys, projects, units, audit events
CREATE TABLE officials (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,
    is_bootstrap BOOLEAN NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE developers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE CHECK (length(credit_code) = 18),
    contact_name_enc TEXT NOT NULL,
    contact_name_masked TEXT NOT NULL,
    contact_phone_enc TEXT NOT NULL,
    contact_phone_masked TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'suspended')),
    status_reason TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE developer_keys (
    id INTEGER PRIMARY KEY,
    developer_id BIGINT NOT NULL REFERENCES developers (id),
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    developer_id BIGINT NOT NULL REFERENCES developers (id),
    name TEXT NOT NULL,
    district TEXT NOT NULL,
    zone_class INTEGER NOT NULL CHECK (zone_class BETWEEN 1 AND 3),
    address TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    presale_permit_no TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('ready', 'off_plan')),
    delivery_date TEXT,
    amenities TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'closed')),
    status_reason TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (developer_id, name)
);
CREATE INDEX projects_status ON projects (status);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    building TEXT NOT NULL,
    unit TEXT NOT NULL,
    room TEXT NOT NULL,
    floor INTEGER NOT NULL CHECK (floor BETWEEN 1 AND 200),
    layout TEXT NOT NULL,
    rooms INTEGER NOT NULL CHECK (rooms BETWEEN 1 AND 20),
    halls INTEGER NOT NULL CHECK (halls BETWEEN 0 AND 10),
    baths INTEGER NOT NULL CHECK (baths BETWEEN 0 AND 10),
    area_centi_m2 BIGINT NOT NULL CHECK (area_centi_m2 BETWEEN 1000 AND 100000),
    inner_area_centi_m2 BIGINT CHECK (inner_area_centi_m2 > 0 AND inner_area_centi_m2 <= area_centi_m2),
    price_per_m2_yuan BIGINT NOT NULL CHECK (price_per_m2_yuan BETWEEN 1000 AND 300000),
    total_price_yuan BIGINT NOT NULL CHECK (total_price_yuan > 0),
    orientation TEXT,
    decoration TEXT CHECK (decoration IN ('rough', 'basic', 'fine')),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('available', 'held', 'reserved', 'sold', 'withdrawn')),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (project_id, building, unit, room)
);
CREATE INDEX units_project_status ON units (project_id, status);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT,
    request_id TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at_ms);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);
