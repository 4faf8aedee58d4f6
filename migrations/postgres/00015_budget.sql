-- The programme's budget (issue 22): per kelurahan, the seed's lines with
-- their planned amount and source. What is committed and spent is computed
-- from the grants, the padat karya wages and the loans, never stored. Kept
-- in lockstep with ../sqlite/00015_budget.sql.

-- +goose Up
CREATE TABLE budget_lines (
    kelurahan_code text      NOT NULL REFERENCES kelurahan (code),
    line           text      NOT NULL CHECK (line IN ('pelatihan', 'hibah', 'padat_karya', 'digital', 'dana_bergulir', 'monitoring')),
    source         text      NOT NULL CHECK (source IN ('apbd', 'csr', 'dana_bergulir')),
    planned        bigint    NOT NULL CHECK (planned >= 0),
    updated_by     text      NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (kelurahan_code, line)
);

-- +goose Down
DROP TABLE budget_lines;
