package app

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/programme"
)

// HouseholdImportBody bounds an import request: the file's own limit plus
// room for the multipart envelope. The body-limit middleware raises the
// default for the import routes to it (BodyLimit).
const HouseholdImportBody = programme.MaxImportBytes + 1<<20

// importFileField is the multipart field that carries the CSV.
const importFileField = "file"

// ImportReport is the answer to an import: what was written and every
// problem by line, column and reason.
type ImportReport struct {
	Imported  int                    `json:"imported"`
	Updated   int                    `json:"updated"`
	Unchanged int                    `json:"unchanged"`
	Errors    []hailurah.ImportIssue `json:"errors"`
	Warnings  []hailurah.ImportIssue `json:"warnings"`
	Encoding  string                 `json:"encoding,omitempty"`
	// Error is set when the file as a whole was refused (HTTP 422), in the
	// API's usual error shape.
	Error *ErrorDetail `json:"error,omitempty"`
}

// ImportKelurahan is the kelurahan an import writes to: the fasilitator's
// own, or the one an admin names.
func (s *App) ImportKelurahan(c *gin.Context, requested string) (string, error) {
	u := UserOf(c)
	if u.Role != hailurah.RoleAdmin {
		return KelurahanScope(u, requested)
	}
	if requested == "" {
		return "", hailurah.FieldErrorf("kelurahan", "Admin wajib memilih kelurahan tujuan impor (parameter kelurahan).")
	}
	if _, err := s.Kelurahan.FindKelurahan(c.Request.Context(), requested); err != nil {
		if hailurah.ErrorCode(err) == hailurah.ENOTFOUND {
			return "", hailurah.FieldErrorf("kelurahan", "Kelurahan %q tidak dikenal.", requested)
		}
		return "", err
	}
	return requested, nil
}

// ReadImportFile returns the CSV of an import request: the body itself
// (text/csv), or the "file" field of a multipart form.
func ReadImportFile(c *gin.Context) ([]byte, error) {
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var r io.Reader
	switch mediaType {
	case "text/csv", "application/csv", "text/plain", "application/vnd.ms-excel":
		r = c.Request.Body
	case "multipart/form-data":
		fh, err := c.FormFile(importFileField)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, importTooLarge()
			}
			return nil, hailurah.FieldErrorf(importFileField, "Pilih file CSV pada kolom %q.", importFileField)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	default:
		return nil, hailurah.Errorf(hailurah.EUNSUPPORTED, "Kirim file sebagai text/csv atau sebagai kolom %q dari multipart/form-data.", importFileField)
	}
	data, err := io.ReadAll(io.LimitReader(r, programme.MaxImportBytes+1))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, importTooLarge()
	case err != nil:
		return nil, err
	case len(data) > programme.MaxImportBytes:
		return nil, importTooLarge()
	}
	return data, nil
}

func importTooLarge() error {
	return hailurah.Errorf(hailurah.ETOOLARGE, "File terlalu besar; maks. %d MB per impor. Pecah file per RW.", programme.MaxImportBytes>>20)
}

// ImportHouseholds parses the file and writes its valid rows. A file that
// cannot be read as a whole returns its report with ok false and writes
// nothing.
func (s *App) ImportHouseholds(c *gin.Context, kelurahan string, data []byte) (rep *ImportReport, ok bool, err error) {
	parsed := programme.ParseHouseholdCSV(data, kelurahan)
	rep = &ImportReport{Errors: parsed.Errors, Warnings: parsed.Warnings, Encoding: parsed.Encoding}
	if rep.Errors == nil {
		rep.Errors = []hailurah.ImportIssue{}
	}
	if rep.Warnings == nil {
		rep.Warnings = []hailurah.ImportIssue{}
	}
	if parsed.Fatal {
		return rep, false, nil
	}
	if len(parsed.Rows) > 0 {
		res, err := s.Programme.Households.ImportHouseholds(c.Request.Context(), kelurahan, parsed.Rows)
		if err != nil {
			return nil, false, err
		}
		rep.Imported, rep.Updated, rep.Unchanged = res.Imported, res.Updated, res.Unchanged
		rep.Errors = append(rep.Errors, res.Errors...)
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
	}
	s.Audit(c, "household.import", kelurahan, ProgrammeAudit(map[string]any{"imported": rep.Imported, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "errors": len(rep.Errors), "bytes": len(data)}))
	return rep, true, nil
}

// HouseholdFilterFrom reads the list filters within the user's kelurahan.
func HouseholdFilterFrom(c *gin.Context, u *hailurah.User) (hailurah.HouseholdFilter, error) {
	q := c.Request.URL.Query()
	f := hailurah.HouseholdFilter{RT: programme.NormalizeRTRW(q.Get("rt")), RW: programme.NormalizeRTRW(q.Get("rw")),
		Q: strings.TrimSpace(q.Get("q"))}
	k, err := KelurahanScope(u, q.Get("kelurahan"))
	if err != nil {
		return f, err
	}
	f.Kelurahan = k
	for name, dst := range map[string]**bool{"dtks": &f.DTKS, "umkm": &f.UMKM} {
		if v := q.Get(name); v != "" {
			b, err := programme.ParseBool(v)
			if err != nil {
				return f, hailurah.FieldErrorf(name, "%s harus YA atau TIDAK.", name)
			}
			*dst = &b
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, hailurah.FieldErrorf(name, "%s harus bilangan bulat positif.", name)
			}
			*dst = n
		}
	}
	return f, nil
}

// VisibleHousehold loads a household the user may see; another
// kelurahan's is "not found".
func (s *App) VisibleHousehold(c *gin.Context, id string) (*hailurah.Household, error) {
	h, err := s.Programme.Households.FindHousehold(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if u := UserOf(c); u.Role != hailurah.RoleAdmin && u.Kelurahan != h.Kelurahan {
		return nil, hailurah.Errorf(hailurah.ENOTFOUND, "Rumah tangga %q tidak ditemukan.", id)
	}
	return h, nil
}

// HouseholdDetail is everything a household's page and API show.
type HouseholdDetail struct {
	*hailurah.Household
	Members       []*hailurah.HouseholdMember  `json:"members"`
	Checkins      []*hailurah.HouseholdCheckin `json:"checkins"`
	Participation *hailurah.Participation      `json:"participation"`
	Grants        []GrantJSON                  `json:"grants"`
}

func (s *App) HouseholdDetail(c *gin.Context, h *hailurah.Household) (*HouseholdDetail, error) {
	ctx := c.Request.Context()
	p := s.Programme
	d := &HouseholdDetail{Household: h, Grants: []GrantJSON{}}
	var err error
	if d.Members, err = p.Households.ListMembers(ctx, h.ID); err != nil {
		return nil, err
	}
	if d.Checkins, err = p.Households.ListCheckins(ctx, h.ID); err != nil {
		return nil, err
	}
	if d.Participation, err = p.Participation.HouseholdParticipation(ctx, h.ID); err != nil {
		return nil, err
	}
	grants, err := p.Grants.ListGrants(ctx, hailurah.GrantFilter{HouseholdID: h.ID})
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		d.Grants = append(d.Grants, ToGrantJSON(g))
	}
	return d, nil
}

type CheckinBody struct {
	Key    string     `json:"key"`
	Date   string     `json:"date"`
	Omzet  RupiahJSON `json:"omzet"`
	Income RupiahJSON `json:"income"`
	Note   string     `json:"note"`
	// Active is "usaha aktif?", Bansos "still receives bansos?" (null:
	// not asked); NewJobs the jobs found or created since the last visit.
	Active  *bool `json:"usaha_aktif"`
	Bansos  *bool `json:"bansos"`
	NewJobs int   `json:"new_jobs"`
}

func (s *App) CheckinFrom(h *hailurah.Household, body CheckinBody) (*hailurah.HouseholdCheckin, error) {
	omzet, err := body.Omzet.Amount("omzet")
	if err != nil {
		return nil, err
	}
	if omzet == nil {
		return nil, hailurah.FieldErrorf("omzet", "Omzet bulanan wajib diisi (Rp, boleh 0).")
	}
	income, err := body.Income.Amount("income")
	if err != nil {
		return nil, err
	}
	at := s.Now()
	if strings.TrimSpace(body.Date) != "" {
		d, err := programme.ParseDate(body.Date)
		if err != nil {
			return nil, hailurah.FieldErrorf("date", "Tanggal %s.", err)
		}
		if d.After(s.Now()) {
			return nil, hailurah.FieldErrorf("date", "Tanggal kunjungan tidak boleh di masa depan.")
		}
		at = d
	}
	key := strings.TrimSpace(body.Key)
	switch {
	case key == "":
		key = h.ID + "/kunjungan/" + hailurah.RandomCode(12)
	case len(key) > 100:
		return nil, hailurah.FieldErrorf("key", "Kunci terlalu panjang (maks. 100 karakter).")
	default:
		// A client's key is scoped to the household, so it cannot collide
		// with a grant's check-in or another household's.
		key = h.ID + "/kunjungan/" + key
	}
	return &hailurah.HouseholdCheckin{Key: key, HouseholdID: h.ID, At: at, Omzet: *omzet, Income: income,
		Active: body.Active, Bansos: body.Bansos, NewJobs: body.NewJobs, Source: hailurah.CheckinFasilitator, Note: strings.TrimSpace(body.Note)}, nil
}

// OnboardingFrom reads a marketplace onboarding of h from a form: every
// bad field at once, by name.
func OnboardingFrom(h *hailurah.Household, platform, shopURL, date string, z hailurah.Zone, now time.Time) (*hailurah.MarketplaceOnboarding, map[string]string) {
	errs := map[string]string{}
	platform, shopURL = strings.TrimSpace(platform), strings.TrimSpace(shopURL)
	if platform == "" || len(platform) > hailurah.MaxNameLen {
		errs["platform"] = "Pilih marketplace tempat usaha ini membuka toko."
	}
	if shopURL != "" && !strings.HasPrefix(shopURL, "https://") && !strings.HasPrefix(shopURL, "http://") {
		errs["shop_url"] = "Alamat toko harus diawali https://."
	}
	y, m, d := z.In(now).Date()
	on := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if strings.TrimSpace(date) != "" {
		t, err := programme.ParseDate(date)
		switch {
		case err != nil:
			errs["onboarded_on"] = fmt.Sprintf("Tanggal onboarding %s.", err)
		case t.After(now):
			errs["onboarded_on"] = "Tanggal onboarding tidak boleh di masa depan."
		default:
			on = t
		}
	}
	return &hailurah.MarketplaceOnboarding{HouseholdID: h.ID, Platform: platform, ShopURL: shopURL, OnboardedOn: on}, errs
}

// DateOrToday formats a date field for a form, as a day of zone z.
func DateOrToday(z hailurah.Zone, t time.Time) string { return z.In(t).Format("2006-01-02") }
