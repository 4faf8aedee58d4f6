package activities

// This file is the only place that calls the triage package's composers
// and command parser, through small wrappers: the rest of the package
// works with its own inputs, so a change of a triage signature touches
// this file alone.

import (
	"strings"
	"time"

	"github.com/hailurah/hailurah/triage"
)

func composeACK(kelurahanName string) string { return triage.ComposeACK(kelurahanName) }

func kategoriLabel(code string) string { return triage.KategoriLabel(code) }

func composeReply(t *triage.Triage) string { return triage.ComposeReply(t) }

// lurahNotif is the seed's [NOTIF] to the lurah.
type lurahNotif struct {
	TicketID      string
	Kategori      string
	Urgency       int
	KelurahanName string
	RT, RW        string
	Summary       string
	Suggestion    string // the AI's solution B or C, short
	Link          string
	Tembusan      bool // the citizen asked for the copy
}

func composeLurahNotif(n lurahNotif) string {
	return triage.ComposeLurahNotif(triage.LurahNotif{
		TicketID: n.TicketID, Kategori: n.Kategori, Urgency: n.Urgency, Kelurahan: n.KelurahanName,
		RT: n.RT, RW: n.RW, Summary: n.Summary, Suggestion: n.Suggestion, URL: n.Link, Tembusan: n.Tembusan,
	})
}

// draftLetter is what a draft request letter is written from.
type draftLetter struct {
	TicketID      string
	KelurahanName string
	LurahName     string
	RT, RW        string
	Kategori      string
	Subkategori   string
	Summary       string
	Text          string // the citizen's own words
	Unit          string
	UnitName      string
	Date          time.Time
	Anonim        bool
}

func composeDraftLetter(d draftLetter) string {
	return triage.ComposeDraftLetter(triage.DraftLetter{
		TicketID: d.TicketID, Kelurahan: d.KelurahanName, LurahName: d.LurahName, RT: d.RT, RW: d.RW,
		Kategori: d.Kategori, Subkategori: d.Subkategori, Summary: d.Summary, Body: d.Text,
		Unit: d.Unit, UnitName: d.UnitName, Date: d.Date, Anonim: d.Anonim,
	})
}

func composeConfirmQuestion(ticketID string) string { return triage.ComposeConfirmQuestion(ticketID) }

func composeConfirmReminder(ticketID string) string { return triage.ComposeConfirmReminder(ticketID) }

func composeRatingQuestion(ticketID string) string { return triage.ComposeRatingQuestion(ticketID) }

func composeStatus(ticketID, statusLabel string) string {
	return triage.ComposeStatus(ticketID, statusLabel)
}

// parseCommand maps triage's command onto this package's, whose JSON form
// is what workflow histories record.
func parseCommand(text string) (Command, bool) {
	c, ok := triage.ParseCommand(text)
	if !ok {
		return Command{}, false
	}
	return Command{Kind: c.Kind, Value: c.Value, Rating: c.Rating, Arg: strings.TrimSpace(c.Arg)}, true
}
