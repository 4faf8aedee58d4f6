// Package app holds what the JSON API (server/api) and the staff and
// citizen pages (server/ui) both use: the services they act through, the
// one function per ticket, grant and pilot action, and the request's
// principal, errors and audit record. Neither of them imports the other;
// package server builds an App from its Config and registers both.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/intake"
	"github.com/hailurah/hailurah/ratelimit"
)

// App is what the API and the pages act through: the services of
// server.Config, the clock and zone, and the per-IP limits of the public
// routes. The actions and lookups both share are its methods.
type App struct {
	Users     hailurah.UserService
	AuditLog  hailurah.AuditService
	Kelurahan hailurah.KelurahanService
	// Notices keeps the kelurahan's quiet hours; nil leaves them out.
	Notices hailurah.StaffNoticeService

	// Programme serves the household registry, participation and grants;
	// nil leaves their routes out.
	Programme *Programme
	// Pilots serves the pilots, the dashboards and the public open data;
	// nil leaves their routes out.
	Pilots *Pilots

	// Case handling; the ticket routes exist only when all three are set.
	Tickets       hailurah.TicketReader
	Notifications hailurah.NotificationReader
	Cases         Cases
	// Intake takes the citizens' messages; POST /api/v1/curhat exists only
	// when it is set.
	Intake Intake
	// Media serves the tickets' downloaded attachments; nil leaves them out.
	Media *Media
	// Reports makes and serves the office's reports; nil leaves them out.
	Reports *Reports
	// Links opens the signed public links of evidence photos (/m/{token});
	// nil answers them 404.
	Links PhotoLinks

	// DataDir holds uploaded evidence photos (DataDir/uploads).
	DataDir string
	Now     func() time.Time
	// Zone is the kelurahan's clock: every time a page shows and every date
	// a form or query names.
	Zone   hailurah.Zone
	Logger *slog.Logger
	// SecureCookies marks cookies Secure even without TLS (behind a proxy).
	SecureCookies bool

	// IntakeLimit bounds new curhat and tracking replies per IP;
	// TrackingLimit the public reads (tracking, open data) per IP.
	IntakeLimit, TrackingLimit *ratelimit.Keyed
}

// HandlesCases reports whether the ticket routes exist: the tickets, their
// workflows and the notifications are all configured.
func (s *App) HandlesCases() bool {
	return s.Tickets != nil && s.Cases != nil && s.Notifications != nil
}

// MaxCurhatText bounds one citizen message: the seed's format is a few
// paragraphs; WhatsApp itself stops at 4096 characters.
const MaxCurhatText = 4000

// Intake is what the channels need of package intake: they parse a
// message and hand it on.
type Intake interface {
	// Accept keeps a message for the inbox to hand over after the answer.
	Accept(ctx context.Context, m intake.Message) error
	// Receive keeps a message and hands it over before returning.
	Receive(ctx context.Context, m intake.Message) (intake.Receipt, error)
	// Start makes a new ticket of a form's message.
	Start(ctx context.Context, m intake.Message) (*intake.Started, error)
	// ConfirmPhone checks the code sent to a phone typed into the form.
	ConfirmPhone(ctx context.Context, ticketID, code string) error
	// PhoneStatus says whether the ticket waits for a phone's code.
	PhoneStatus(ctx context.Context, ticketID string) (string, error)
	// Contact is a named citizen's contact for the audited reveal.
	Contact(ctx context.Context, t *hailurah.Ticket) (*hailurah.CitizenContact, error)
}
