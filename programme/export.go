package programme

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/hailurah/hailurah"
)

// ExportColumns are the columns WriteHouseholdCSV writes: Lampiran C, then
// what the registry adds. An exported file imports back unchanged.
var ExportColumns = append(append([]string{}, Columns...), ColBaselineIncome, ColKelompokRentan, ColKelurahan)

// WriteHouseholdCSV writes households as a UTF-8 CSV with a BOM, so Excel
// opens names with accents correctly, in ExportColumns order.
func WriteHouseholdCSV(w io.Writer, households []*hailurah.Household) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	for _, h := range households {
		date := ""
		if h.DateUpdated != nil {
			date = h.DateUpdated.Format("2006-01-02")
		}
		rec := []string{
			h.ID, defuse(h.NamaKepalaKeluarga), defuse(h.AlamatRTRW), yesNo(h.DTKS), defuse(h.PotensiUsaha),
			defuse(JoinList(h.Pelatihan)), strconv.FormatInt(h.ModalReceived, 10),
			strconv.FormatInt(h.OmzetMonthly, 10), yesNo(h.UMKMOnboarded), date,
			strconv.FormatInt(h.BaselineIncome, 10), JoinList(h.Vulnerability), h.Kelurahan,
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func yesNo(b bool) string {
	if b {
		return "YA"
	}
	return "TIDAK"
}

// defuse keeps a spreadsheet from running a cell as a formula (CSV
// injection): a value starting with = + - or @ gets a leading apostrophe,
// which the import takes off again.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
