-- The programme's budget (issue 22): per kelurahan, the seed's lines with
-- their planned amount and source. What is committed and spent is computed
-- from the grants, the padat karya wages and the loans, never stored. Kept
-- in lockstep with ../postgres/00015_budget.sql.

-- +goose Up
CREATE TABLE budget_lines (
    kelurahan_code TEXT      NOT NULL REFERENCES kelurahan (code),
    line           TEXT      NOT NULL CHECK (line IN ('pelatihan', 'hibah', 'padat_karya', 'digital', 'dana_bergulir', 'monitoring')),
    source         TEXT      NOT NULL CHECK (source IN ('apbd', 'csr', 'dana_bergulir')),
    planned        INTEGER   NOT NULL CHECK (planned >= 0),
    updated_by     TEXT      NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (kelurahan_code, line)
);

-- +goose Down
DROP TABLE budget_lines;
