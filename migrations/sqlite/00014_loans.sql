-- Dana bergulir (issue 22): the kelurahan's revolving fund, its loans, their
-- timeline and the repayments that come back to the fund. Kept in lockstep
-- with ../postgres/00014_loans.sql.

-- +goose Up

-- What the fund may lend now. An application takes its amount with one
-- conditional UPDATE (loan_fund >= amount), so concurrent applications can
-- never over-commit; a rejection and every repayment give money back.
ALTER TABLE kelurahan ADD COLUMN loan_fund INTEGER NOT NULL DEFAULT 0 CHECK (loan_fund >= 0);

CREATE TABLE loans (
    id               TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    household_id     TEXT      NOT NULL REFERENCES households (id),
    kelurahan_code   TEXT      NOT NULL REFERENCES kelurahan (code),
    household_name   TEXT      NOT NULL DEFAULT '',
    amount           INTEGER   NOT NULL CHECK (amount > 0),
    months           INTEGER   NOT NULL CHECK (months BETWEEN 1 AND 24),
    purpose          TEXT      NOT NULL DEFAULT '',
    phone_masked     TEXT      NOT NULL DEFAULT '',
    status           TEXT      NOT NULL CHECK (status IN ('diajukan', 'disetujui', 'berjalan', 'menunggak', 'lunas', 'ditolak')),
    applied_by       TEXT      NOT NULL DEFAULT '',
    applied_at       TIMESTAMP NOT NULL,
    decided_by       TEXT      NOT NULL DEFAULT '',
    approved_at      TIMESTAMP,
    rejected_at      TIMESTAMP,
    reject_reason    TEXT      NOT NULL DEFAULT '',
    disbursed_by     TEXT      NOT NULL DEFAULT '',
    disbursed_at     TIMESTAMP,
    disbursement_ref TEXT      NOT NULL DEFAULT '',
    -- A JSON array of instalments: n, due, amount, paid, paid_at.
    schedule         TEXT      CHECK (schedule IS NULL OR json_valid(schedule)),
    repaid           INTEGER   NOT NULL DEFAULT 0 CHECK (repaid >= 0),
    completed_at     TIMESTAMP,
    -- The store's own bookkeeping: a rejected loan's amount goes back to
    -- the fund once.
    fund_released    INTEGER   NOT NULL DEFAULT 0 CHECK (fund_released IN (0, 1)),
    version          INTEGER   NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- One running loan per household: a second application is refused.
CREATE UNIQUE INDEX loans_one_active_per_household_idx
    ON loans (household_id) WHERE status NOT IN ('lunas', 'ditolak');
CREATE INDEX loans_kelurahan_idx ON loans (kelurahan_code, status);

CREATE TABLE loan_seq (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL CHECK (last > 0)
);

CREATE TABLE loan_events (
    id          INTEGER   PRIMARY KEY AUTOINCREMENT,
    key         TEXT      NOT NULL UNIQUE CHECK (key <> ''),
    loan_id     TEXT      NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
    seq         INTEGER   NOT NULL DEFAULT 0,
    at          TIMESTAMP NOT NULL,
    type        TEXT      NOT NULL DEFAULT '',
    actor       TEXT      NOT NULL DEFAULT '',
    role        TEXT      NOT NULL DEFAULT '',
    from_status TEXT      NOT NULL DEFAULT '',
    to_status   TEXT      NOT NULL DEFAULT '',
    note        TEXT      NOT NULL DEFAULT ''
);

CREATE INDEX loan_events_timeline_idx ON loan_events (loan_id, at, seq);

-- Money received, one row per payment key: a repeated payment lands once,
-- and only its first landing adds to the fund.
CREATE TABLE loan_repayments (
    key         TEXT      PRIMARY KEY NOT NULL CHECK (key <> ''),
    loan_id     TEXT      NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
    amount      INTEGER   NOT NULL CHECK (amount > 0),
    paid_on     TIMESTAMP NOT NULL,
    recorded_by TEXT      NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);

CREATE INDEX loan_repayments_loan_idx ON loan_repayments (loan_id, paid_on);

-- +goose Down
DROP TABLE loan_repayments;
DROP TABLE loan_events;
DROP TABLE loan_seq;
DROP TABLE loans;
ALTER TABLE kelurahan DROP COLUMN loan_fund;
