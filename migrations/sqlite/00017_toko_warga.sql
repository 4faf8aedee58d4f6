-- Toko Warga Taman (issue 22): the catalogue of participants' products the
-- fasilitator keeps, public at /toko-warga, and the orders counted for the
-- "marketplace orders" indicator. Kept in lockstep with
-- ../postgres/00017_toko_warga.sql.

-- +goose Up
CREATE TABLE toko_products (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    kelurahan_code TEXT        NOT NULL REFERENCES kelurahan (code),
    household_id   TEXT        NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    name           TEXT        NOT NULL CHECK (name <> ''),
    description    TEXT        NOT NULL DEFAULT '',
    price          INTEGER     NOT NULL CHECK (price > 0),
    business_name  TEXT        NOT NULL CHECK (business_name <> ''),
    -- The seller's WhatsApp number (62…); the public page links to it only
    -- while wa_consent holds, and never prints it.
    seller_phone   TEXT        NOT NULL DEFAULT '',
    wa_consent     INTEGER     NOT NULL DEFAULT 0,
    photo_key      TEXT        NOT NULL DEFAULT '',
    photo_mime     TEXT        NOT NULL DEFAULT '',
    hidden         INTEGER     NOT NULL DEFAULT 0,
    created_by     TEXT        NOT NULL DEFAULT '',
    created_at     TIMESTAMP   NOT NULL,
    updated_at     TIMESTAMP   NOT NULL,
    CONSTRAINT toko_products_consent CHECK (NOT wa_consent OR seller_phone <> '')
);
CREATE INDEX toko_products_kelurahan_idx ON toko_products (kelurahan_code, hidden, updated_at);

-- An order: a buyer's click on the order link (source 'klik'), or orders
-- a seller reported to the fasilitator (source 'laporan', quantity many).
CREATE TABLE toko_orders (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    product_id     INTEGER     NOT NULL REFERENCES toko_products (id) ON DELETE CASCADE,
    household_id   TEXT        NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kelurahan_code TEXT        NOT NULL REFERENCES kelurahan (code),
    source         TEXT        NOT NULL CHECK (source IN ('klik', 'laporan')),
    quantity       INTEGER     NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    amount         INTEGER     NOT NULL DEFAULT 0 CHECK (amount >= 0),
    at             TIMESTAMP   NOT NULL,
    created_by     TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX toko_orders_kelurahan_idx ON toko_orders (kelurahan_code, at);
CREATE INDEX toko_orders_product_idx ON toko_orders (product_id, at);

-- +goose Down
DROP TABLE toko_orders;
DROP TABLE toko_products;
