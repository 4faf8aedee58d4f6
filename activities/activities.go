// Package activities holds the side effects of the case workflows: triage,
// projections into the store, messages to citizens through the outbox and
// notifications to staff. Every activity is idempotent, because Temporal
// retries them: store writes are upserts keyed by ticket and version or by
// event key, messages and notifications carry idempotency keys.
package activities

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/triage"
)

// Activities holds the dependencies of every activity. Workflows refer to
// the methods through a nil *Activities; the worker registers a filled one.
type Activities struct {
	Tickets       hailurah.TicketService
	Outbox        hailurah.OutboxService
	Notifications hailurah.NotificationService
	// Kelurahan, when set, names kelurahan the workflow only knows by code
	// (after set_kelurahan) in messages and the weekly digest.
	Kelurahan  hailurah.KelurahanService
	Classifier triage.Classifier
	// BaseURL is the public address of the web UI, for links in
	// notifications ("https://hailurah.madiunkota.go.id").
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Zone is the kelurahan's clock, for the times in messages; the zero
	// Zone is Asia/Jakarta.
	Zone hailurah.Zone
	// Notices, when set, sends the notifications that need staff to act
	// to their WhatsApp too.
	Notices *NoticeActivities
	// Evidence, when set, downloads a unit's WhatsApp evidence photo so the
	// citizen's confirmation carries it.
	Evidence EvidenceKeeper
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// ticketLink is the staff page of a ticket. Unexported: the worker
// registers every exported method of Activities as an activity.
func (a *Activities) ticketLink(ticketID string) string {
	return strings.TrimRight(a.BaseURL, "/") + "/tiket/" + ticketID
}

// nonRetryable turns an application error the store returns for bad input
// into one Temporal does not retry: retrying EINVALID only delays the same
// answer. Other errors (the database is down) are retried.
func nonRetryable(err error) error {
	if err == nil {
		return nil
	}
	var e *hailurah.Error
	if errors.As(err, &e) {
		switch e.Code {
		case hailurah.EINVALID, hailurah.ENOTFOUND, hailurah.EFORBIDDEN, hailurah.ECONFLICT:
			return temporal.NewNonRetryableApplicationError(e.Message, e.Code, err)
		}
	}
	return err
}
