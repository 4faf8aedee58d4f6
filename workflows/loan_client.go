package workflows

import (
	"context"

	"github.com/hailurah/hailurah/finance"
)

const nounLoan = "Pinjaman"

// StartLoan starts the loan's LoanWorkflow. As StartGrant: a loan whose
// workflow runs already starts without error, ECONFLICT when its id was
// used before, EUNAVAILABLE for any other failure (the caller undoes the
// application).
func (c *Client) StartLoan(ctx context.Context, in finance.LoanInput) error {
	return c.startOrUse(ctx, nounLoan, in.Loan.ID, LoanWorkflowID(in.Loan.ID), LoanWorkflow, in)
}

// ActLoan performs a staff action on a loan and returns the loan after
// it. Refusals as for Act; ENOTFOUND when the workflow has ended.
func (c *Client) ActLoan(ctx context.Context, loanID string, req finance.LoanActionRequest) (*finance.Loan, error) {
	var l finance.Loan
	if err := c.update(ctx, nounLoan, loanID, LoanWorkflowID(loanID), UpdateLoanAction, req.Action, req.IdempotencyKey, req, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
