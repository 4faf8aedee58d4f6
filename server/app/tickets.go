package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// ReporterLabel is how staff see who sent a curhat: "Anonim" for anonymous
// reporters, otherwise only the channel — contacts stay with the messenger.
func ReporterLabel(t *hailurah.Ticket) string {
	if t.PrivacyFlag {
		return "Anonim"
	}
	if name, ok := channelNames[t.Channel]; ok {
		return "Warga (" + name + ")"
	}
	return "Warga"
}

// channelNames are the channels as people name them.
var channelNames = map[string]string{
	hailurah.ChannelWhatsApp: "WhatsApp", hailurah.ChannelWeb: "situs web",
	hailurah.ChannelKiosk: "kios", hailurah.ChannelOpen311: "aplikasi lain",
}

// TicketFilterFrom reads the list filters of GET /api/v1/tickets and
// narrows them to what the user may see.
func TicketFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.TicketFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.TicketFilter{
		Kategori: q.Get("kategori"), Unit: q.Get("unit"), Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"),
		RT: programme.NormalizeRTRW(q.Get("rt")), RW: programme.NormalizeRTRW(q.Get("rw")),
	}
	if f.Kategori != "" && !hailurah.ValidKategori(f.Kategori) {
		return f, hailurah.FieldErrorf("kategori", "Kategori %q tidak dikenal.", f.Kategori)
	}
	if len(f.Q) > 200 {
		return f, hailurah.FieldErrorf("q", "Kata kunci terlalu panjang (maks. 200 karakter).")
	}
	for _, st := range q["status"] {
		for _, one := range strings.Split(st, ",") {
			status := hailurah.TicketStatus(strings.TrimSpace(one))
			if !status.Valid() {
				return f, hailurah.FieldErrorf("status", "Status %q tidak dikenal.", one)
			}
			f.Statuses = append(f.Statuses, status)
		}
	}
	if v := q.Get("urgency_min"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return f, hailurah.FieldErrorf("urgency_min", "urgency_min harus angka 1–5.")
		}
		f.UrgencyMin = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, hailurah.FieldErrorf("limit", "limit harus angka 1–200.")
		}
		f.Limit = n
	}
	if v := q.Get("breached"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, hailurah.FieldErrorf("breached", "breached harus true atau false.")
		}
		f.Breached = &b
	}
	for name, dst := range map[string]**time.Time{"from": &f.ReceivedFrom, "to": &f.ReceivedTo} {
		if v := q.Get(name); v != "" {
			t, err := parseDate(v)
			if err != nil {
				return f, hailurah.FieldErrorf(name, "%s harus tanggal YYYY-MM-DD atau RFC 3339.", name)
			}
			*dst = &t
		}
	}

	switch u.Role {
	case hailurah.RoleAdmin:
		switch k := q.Get("kelurahan"); k {
		case "-", "kota":
			f.CityQueue = true
		default:
			f.Kelurahan = k
		}
	case hailurah.RoleDinas:
		// Officers see their unit's tasks from every kelurahan, nothing else.
		if f.Unit != "" && f.Unit != u.Unit {
			return f, hailurah.Errorf(hailurah.EFORBIDDEN, "Anda hanya dapat melihat tugas unit Anda sendiri.")
		}
		f.Unit = u.Unit
		f.Kelurahan = q.Get("kelurahan")
	default:
		k, err := KelurahanScope(u, q.Get("kelurahan"))
		if err != nil {
			return f, err
		}
		f.Kelurahan = k
	}
	return f, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// VisibleTicket loads a ticket the user may see. Another kelurahan's
// ticket, or another unit's task, is "not found": its existence is not
// the user's business.
func (s *App) VisibleTicket(c *gin.Context, id string) (*hailurah.Ticket, error) {
	t, err := s.Tickets.FindTicket(c.Request.Context(), id)
	if err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Tiket %s tidak ditemukan.", id)
		}
		return nil, err
	}
	if !hailurah.CanSeeTicket(UserOf(c), t) {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Tiket %s tidak ditemukan.", id)
	}
	return t, nil
}
