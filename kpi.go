package hailurah

import (
	"context"
	"fmt"
	"math"
	"time"
)

// KPIUnit is how a KPI is measured.
type KPIUnit string

const (
	KPIUnitPercent KPIUnit = "percent"
	KPIUnitCount   KPIUnit = "count"
	KPIUnitRupiah  KPIUnit = "rupiah"
)

// KPI codes: the SIAP-TAMAN year-1 indicators of the seed (section 10)
// and the two HAI LURAH service indicators.
const (
	KPIDTKSReductionPct  = "dtks_reduction_pct"
	KPIIncomeIncreasePct = "income_increase_pct"
	KPIMicroBusinesses   = "micro_businesses"
	KPITrained           = "trained"
	KPIPadatKaryaWorkers = "padat_karya_workers"
	KPIUMKMMarketplace   = "umkm_marketplace"
	KPIWomenSharePct     = "women_share_pct"
	KPIGrantBudgetUsed   = "grant_budget_used"
	KPISLACompliancePct  = "sla_compliance_pct"
	// The dashboard's real-time indicators of the seed's M&E section.
	KPIUsahaAktif         = "usaha_aktif"
	KPITotalOmzet         = "total_omzet"
	KPIMarketplaceOrders  = "marketplace_orders"
	KPIBansosReductionPct = "bansos_reduction_pct"
	KPINewJobs            = "new_jobs"
	// Lampiran C's summary, under its own names.
	KPIPercentActive   = "percent_active"
	KPIAvgOmzet        = "avg_omzet"
	KPIDTKSCount       = "dtks_count"
	KPISatisfactionPct = "satisfaction_pct"
)

// UpgradeThresholdPct is how much a business's monthly omzet must grow over
// its baseline to count as "naik kelas": the seed's income target, +25%.
const UpgradeThresholdPct = 25

// SatisfiedRating is the lowest rating counted as satisfied (≥ 4/5).
const SatisfiedRating = 4

// KPIDef describes one KPI of the catalogue.
type KPIDef struct {
	Code  string  `json:"code"`
	Label string  `json:"label"`
	Unit  KPIUnit `json:"unit"`
	// YearTarget is the seed's year-1 target; 0 for grant_budget_used,
	// whose target is the kelurahan's grant budget.
	YearTarget float64 `json:"year_target"`
	// Rate KPIs are shares (women, SLA, satisfaction): a cycle should hold
	// the target all along. The others accumulate over the cycle.
	Rate bool `json:"rate"`
	// Curhat KPIs are measured on HAI LURAH tickets, not programme data.
	Curhat      bool   `json:"curhat"`
	Description string `json:"description"`
}

// KPICatalogue lists every KPI a pilot may target, in dashboard order.
var KPICatalogue = []KPIDef{
	{Code: KPIDTKSReductionPct, Label: "Penurunan rumah tangga DTKS", Unit: KPIUnitPercent, YearTarget: 20,
		Description: "Rumah tangga di cakupan yang tercatat DTKS (kini, atau saat mengajukan hibah) dan kini tidak lagi DTKS, per seluruh rumah tangga DTKS itu."},
	{Code: KPIIncomeIncreasePct, Label: "Kenaikan pendapatan rumah tangga", Unit: KPIUnitPercent, YearTarget: 25,
		Description: "Kenaikan pendapatan terakhir yang tercatat saat check-in dibanding pendapatan awal (baseline), atas rumah tangga yang memiliki keduanya."},
	{Code: KPIMicroBusinesses, Label: "Usaha mikro baru / naik kelas", Unit: KPIUnitCount, YearTarget: 50,
		Description: "Rumah tangga yang omzet terakhirnya dalam periode > 0 dengan omzet awal 0 (usaha baru), atau naik ≥ 25% dari omzet awal (naik kelas)."},
	{Code: KPITrained, Label: "Peserta pelatihan & sertifikasi", Unit: KPIUnitCount, YearTarget: 200,
		Description: "Anggota rumah tangga yang hadir di pelatihan dalam periode (orang, dihitung sekali)."},
	{Code: KPIPadatKaryaWorkers, Label: "Tenaga kerja padat karya", Unit: KPIUnitCount, YearTarget: 100,
		Description: "Anggota rumah tangga yang bekerja di proyek padat karya yang berjalan dalam periode (orang, dihitung sekali)."},
	{Code: KPIUMKMMarketplace, Label: "UMKM onboard marketplace", Unit: KPIUnitCount, YearTarget: 30,
		Description: "Rumah tangga yang usahanya masuk marketplace dalam periode."},
	{Code: KPIWomenSharePct, Label: "Peserta perempuan", Unit: KPIUnitPercent, YearTarget: 50, Rate: true,
		Description: "Perempuan di antara seluruh peserta pelatihan dan padat karya dalam periode."},
	{Code: KPIGrantBudgetUsed, Label: "Anggaran hibah tersalurkan", Unit: KPIUnitRupiah,
		Description: "Jumlah hibah produktif yang dicairkan dalam periode; target tahunan = anggaran hibah kelurahan."},
	{Code: KPIUsahaAktif, Label: "Usaha aktif", Unit: KPIUnitCount,
		Description: "Rumah tangga yang usahanya aktif pada akhir periode: jawaban \"usaha aktif\" pada check-in terakhir (tanpa jawaban, omzet > 0)."},
	{Code: KPITotalOmzet, Label: "Total omzet bulanan", Unit: KPIUnitRupiah,
		Description: "Jumlah omzet bulanan terakhir yang tercatat dari usaha yang aktif pada akhir periode."},
	{Code: KPIMarketplaceOrders, Label: "Pesanan marketplace", Unit: KPIUnitCount,
		Description: "Pesanan produk Toko Warga Taman dalam periode: klik tombol pesan WhatsApp oleh pembeli dan pesanan yang dilaporkan penjual."},
	{Code: KPIBansosReductionPct, Label: "Pengurangan penerima bansos", Unit: KPIUnitPercent, YearTarget: 30,
		Description: "KPI alternatif: rumah tangga yang pada check-in pertama masih menerima bansos dan pada check-in terakhir tidak lagi, per seluruh penerima bansos itu."},
	{Code: KPINewJobs, Label: "Lapangan kerja baru", Unit: KPIUnitCount, YearTarget: 40,
		Description: "KPI alternatif: pekerjaan baru (formal/informal) yang dilaporkan saat check-in dalam periode."},
	{Code: KPIPercentActive, Label: "Rumah tangga dengan usaha aktif", Unit: KPIUnitPercent,
		Description: "Lampiran C: usaha aktif pada akhir periode per seluruh rumah tangga sasaran."},
	{Code: KPIAvgOmzet, Label: "Rata-rata omzet usaha aktif", Unit: KPIUnitRupiah,
		Description: "Lampiran C: total omzet bulanan dibagi jumlah usaha aktif."},
	{Code: KPIDTKSCount, Label: "Rumah tangga DTKS", Unit: KPIUnitCount,
		Description: "Lampiran C: rumah tangga sasaran yang kini tercatat DTKS."},
	{Code: KPISLACompliancePct, Label: "Kepatuhan SLA curhat", Unit: KPIUnitPercent, YearTarget: 90, Rate: true, Curhat: true,
		Description: "Tenggat verifikasi moderator dan tugas dinas yang sudah berakhir tanpa terlewati, per seluruh tenggat yang sudah berakhir."},
	{Code: KPISatisfactionPct, Label: "Kepuasan warga ≥ 4/5", Unit: KPIUnitPercent, YearTarget: 80, Rate: true, Curhat: true,
		Description: "Tiket bernilai 4 atau 5 per seluruh tiket yang dinilai warga (target seed: ≥ 80%)."},
}

// FindKPI returns the catalogue entry of a code.
func FindKPI(code string) (KPIDef, bool) {
	for _, d := range KPICatalogue {
		if d.Code == code {
			return d, true
		}
	}
	return KPIDef{}, false
}

// KPICodes lists the catalogue's codes.
func KPICodes() []string {
	out := make([]string, len(KPICatalogue))
	for i, d := range KPICatalogue {
		out[i] = d.Code
	}
	return out
}

// ProgrammeKPICodes lists the SIAP-TAMAN KPIs (the catalogue without the
// curhat ones), in dashboard order.
func ProgrammeKPICodes() []string {
	var out []string
	for _, d := range KPICatalogue {
		if !d.Curhat {
			out = append(out, d.Code)
		}
	}
	return out
}

// KPIValue is one measured KPI. Value is nil when it cannot be computed
// (no data: a share of nobody), never NaN or infinite. Num and Den are the
// counts behind a share, or the value itself (Den 0) for counts and sums.
type KPIValue struct {
	Code  string   `json:"code"`
	Value *float64 `json:"value"`
	Num   float64  `json:"num"`
	Den   float64  `json:"den"`
}

// Share returns num/den×100 rounded to one decimal, or nil when den is 0.
func Share(num, den float64) *float64 {
	if den <= 0 || math.IsNaN(num) || math.IsNaN(den) {
		return nil
	}
	v := math.Round(num/den*1000) / 10
	return &v
}

// Ratio returns the change from base to v in percent, to one decimal, or
// nil without a base.
func Ratio(base, v float64) *float64 {
	if base <= 0 {
		return nil
	}
	return Share(v-base, base)
}

// Float returns a pointer to v, for KPIs that are plain counts or sums.
func Float(v float64) *float64 { return &v }

// KPIScope is where KPIs are measured: a list of areas, or the whole city
// when Areas is empty.
type KPIScope struct {
	Areas []PilotArea `json:"areas,omitempty"`
}

// ScopeOfKelurahan is the scope of one whole kelurahan; "" is the city.
func ScopeOfKelurahan(code string) KPIScope {
	if code == "" {
		return KPIScope{}
	}
	return KPIScope{Areas: []PilotArea{{Kelurahan: code}}}
}

// Early-warning flags of a target.
const (
	FlagOnTrack  = "on_track"  // at or above the expected progress
	FlagAtRisk   = "at_risk"   // at least half of the expected progress
	FlagOffTrack = "off_track" // below half of it
	FlagNoData   = "no_data"   // nothing to measure yet
)

// FlagLabel names a flag in Bahasa Indonesia.
func FlagLabel(f string) string {
	switch f {
	case FlagOnTrack:
		return "Sesuai jalur"
	case FlagAtRisk:
		return "Waspada"
	case FlagOffTrack:
		return "Tertinggal"
	case FlagNoData:
		return "Belum ada data"
	}
	return f
}

// ExpectedShare is the share of a target a KPI should have reached by day
// of a cycle of decisionDay days: all of it for rates, pro rata for the
// others.
func ExpectedShare(def KPIDef, day, decisionDay int) float64 {
	if def.Rate || decisionDay <= 0 {
		return 1
	}
	return math.Min(1, math.Max(0, float64(day)/float64(decisionDay)))
}

// TargetFlag compares an actual value with its target and the expected
// share of it.
func TargetFlag(actual *float64, target, expected float64) string {
	if actual == nil || target <= 0 {
		return FlagNoData
	}
	reached := *actual / target
	switch {
	case reached >= expected:
		return FlagOnTrack
	case reached >= expected/2:
		return FlagAtRisk
	}
	return FlagOffTrack
}

// TrendPoint is a KPI's value at a day of the cycle (or at a date).
type TrendPoint struct {
	Day   int       `json:"day"`
	At    time.Time `json:"at"`
	Value *float64  `json:"value"`
}

// PacketRow is one target of the review packet.
type PacketRow struct {
	KPI    string   `json:"kpi"`
	Label  string   `json:"label"`
	Unit   KPIUnit  `json:"unit"`
	Target float64  `json:"target"`
	Actual *float64 `json:"actual"`
	// PercentOfTarget is Actual/Target×100; nil without an actual.
	PercentOfTarget *float64     `json:"percent_of_target"`
	ExpectedPct     float64      `json:"expected_pct"` // the progress expected by the review day
	Flag            string       `json:"flag"`
	Trend           []TrendPoint `json:"trend"`
	Num             float64      `json:"num"`
	Den             float64      `json:"den"`
}

// PacketCurhat is how HAI LURAH served the pilot's scope in the cycle.
type PacketCurhat struct {
	Tickets              int      `json:"tickets"`
	ModeratorSLAPct      *float64 `json:"moderator_sla_pct"`
	DinasSLAPct          *float64 `json:"dinas_sla_pct"`
	SLACompliancePct     *float64 `json:"sla_compliance_pct"`
	Rated                int      `json:"rated"`
	SatisfactionPct      *float64 `json:"satisfaction_pct"`
	MedianResolveSeconds *float64 `json:"median_resolve_seconds"`
}

// PilotPacket is the day-76 review packet: every target against its actual
// value, with the trend over the cycle, the early-warning flags and how
// HAI LURAH tickets from the scope were served.
type PilotPacket struct {
	PilotID     string       `json:"pilot_id"`
	Cycle       int          `json:"cycle"`
	GeneratedAt time.Time    `json:"generated_at"`
	PeriodFrom  time.Time    `json:"period_from"`
	PeriodTo    time.Time    `json:"period_to"`
	Day         int          `json:"day"`
	Rows        []PacketRow  `json:"targets"`
	Curhat      PacketCurhat `json:"curhat"`
	Warnings    []string     `json:"early_warnings"`
	// Parts are the same figures for each kelurahan of a scope that names
	// more than one (after a scale decision), so each reader is shown only
	// the kelurahan they may see (For).
	Parts []PacketPart `json:"per_kelurahan,omitempty"`
	// Withheld says the figures of this copy were left out: they are of
	// kelurahan its reader may not see.
	Withheld bool `json:"withheld,omitempty"`
}

// PacketPart is the packet's figures for one kelurahan of its scope.
type PacketPart struct {
	Kelurahan string       `json:"kelurahan"`
	Rows      []PacketRow  `json:"targets"`
	Curhat    PacketCurhat `json:"curhat"`
	Warnings  []string     `json:"early_warnings"`
}

// For returns the packet as a reader of kelurahan may see it ("" is a
// city-wide reader, who sees everything): the whole packet when its scope
// is that kelurahan alone, else only that kelurahan's part, and no figures
// at all when it has none. A kelurahan's staff may not see another
// kelurahan's figures on the dashboard, so they may not see them here.
func (pk *PilotPacket) For(kelurahan string, scope []PilotArea) *PilotPacket {
	if pk == nil {
		return nil
	}
	names := ScopeKelurahan(scope)
	if kelurahan == "" || (len(names) == 1 && names[0] == kelurahan) {
		return pk
	}
	out := *pk
	out.Rows, out.Curhat, out.Warnings, out.Parts = []PacketRow{}, PacketCurhat{}, []string{}, nil
	out.Withheld = true
	for _, part := range pk.Parts {
		if part.Kelurahan == kelurahan {
			out.Rows, out.Curhat, out.Warnings = part.Rows, part.Curhat, part.Warnings
			out.Parts = []PacketPart{part}
			out.Withheld = false
		}
	}
	return &out
}

// CurhatFigures are the curhat service figures of a scope and period, as
// the KPI store measures them for packets and KPIs.
type CurhatFigures struct {
	Tickets            int      `json:"tickets"`
	ModeratorEnded     int      `json:"moderator_ended"`
	ModeratorOnTime    int      `json:"moderator_on_time"`
	DinasEnded         int      `json:"dinas_ended"`
	DinasOnTime        int      `json:"dinas_on_time"`
	Rated              int      `json:"rated"`
	Satisfied          int      `json:"satisfied"`
	MedianResolveSecs  *float64 `json:"median_resolve_seconds"`
	MedianReplySeconds *float64 `json:"median_reply_seconds"`
}

// SLAPct is the combined compliance of both SLA clocks.
func (f CurhatFigures) SLAPct() *float64 {
	return Share(float64(f.ModeratorOnTime+f.DinasOnTime), float64(f.ModeratorEnded+f.DinasEnded))
}

// SatisfactionPct is the share of ratings ≥ 4.
func (f CurhatFigures) SatisfactionPct() *float64 {
	return Share(float64(f.Satisfied), float64(f.Rated))
}

// PacketInput is what BuildPacket needs: the pilot's cycle, the values
// measured at each trend point (the last is the review's), and the curhat
// figures of the cycle.
type PacketInput struct {
	Pilot       *Pilot
	DecisionDay int
	DayLength   time.Duration // 0 means PilotDay
	At          time.Time
	// Series holds, per trend point, the values measured from the cycle's
	// start to that point.
	Series []SeriesPoint
	Curhat CurhatFigures
}

// SeriesPoint is the KPI values measured up to one day of the cycle.
type SeriesPoint struct {
	Day    int                 `json:"day"`
	At     time.Time           `json:"at"`
	Values map[string]KPIValue `json:"values"`
}

// Thresholds of the curhat early warnings: the seed's satisfaction target
// and the SLA compliance a kelurahan should keep.
const (
	WarnSatisfactionPct = 80
	WarnSLAPct          = 80
)

// BuildPacket assembles the review packet. It is pure, so the activity that
// measures and the tests that check the arithmetic share it.
func BuildPacket(in PacketInput) *PilotPacket {
	p := in.Pilot
	day := p.DayAt(in.At, in.DayLength)
	pk := &PilotPacket{
		PilotID: p.ID, Cycle: p.Cycle, GeneratedAt: in.At, PeriodFrom: p.CycleStart, PeriodTo: in.At, Day: day,
		Rows: []PacketRow{}, Warnings: []string{},
	}
	var last SeriesPoint
	if len(in.Series) > 0 {
		last = in.Series[len(in.Series)-1]
	}
	for _, t := range p.Targets {
		def, ok := FindKPI(t.KPI)
		if !ok {
			continue
		}
		v := last.Values[t.KPI]
		row := PacketRow{KPI: t.KPI, Label: def.Label, Unit: def.Unit, Target: t.Target, Actual: v.Value, Num: v.Num, Den: v.Den}
		if v.Value != nil {
			row.PercentOfTarget = Share(*v.Value, t.Target)
		}
		expected := ExpectedShare(def, day, in.DecisionDay)
		row.ExpectedPct = math.Round(expected * 100)
		row.Flag = TargetFlag(v.Value, t.Target, expected)
		for _, sp := range in.Series {
			row.Trend = append(row.Trend, TrendPoint{Day: sp.Day, At: sp.At, Value: sp.Values[t.KPI].Value})
		}
		switch row.Flag {
		case FlagOffTrack, FlagAtRisk:
			pk.Warnings = append(pk.Warnings, fmt.Sprintf("%s: %s dari target %s (%s), di bawah laju yang diharapkan %.0f%% pada hari ke-%d.",
				def.Label, FormatKPI(def.Unit, v.Value), FormatKPI(def.Unit, &t.Target), FormatPct(row.PercentOfTarget), row.ExpectedPct, day))
		case FlagNoData:
			pk.Warnings = append(pk.Warnings, fmt.Sprintf("%s: belum ada data untuk diukur di cakupan pilot.", def.Label))
		}
		pk.Rows = append(pk.Rows, row)
	}
	c := in.Curhat
	pk.Curhat = PacketCurhat{
		Tickets: c.Tickets, Rated: c.Rated, MedianResolveSeconds: c.MedianResolveSecs,
		ModeratorSLAPct:  Share(float64(c.ModeratorOnTime), float64(c.ModeratorEnded)),
		DinasSLAPct:      Share(float64(c.DinasOnTime), float64(c.DinasEnded)),
		SLACompliancePct: c.SLAPct(), SatisfactionPct: c.SatisfactionPct(),
	}
	// A targeted SLA or satisfaction already warns on its row: not twice.
	if v := pk.Curhat.SLACompliancePct; v != nil && *v < WarnSLAPct && !p.HasTarget(KPISLACompliancePct) {
		pk.Warnings = append(pk.Warnings, fmt.Sprintf("Kepatuhan SLA curhat dari cakupan pilot %s, di bawah %d%%.", FormatPct(v), WarnSLAPct))
	}
	if v := pk.Curhat.SatisfactionPct; v != nil && *v < WarnSatisfactionPct && !p.HasTarget(KPISatisfactionPct) {
		pk.Warnings = append(pk.Warnings, fmt.Sprintf("Kepuasan warga (nilai ≥ 4/5) %s, di bawah target %d%%.", FormatPct(v), WarnSatisfactionPct))
	}
	for _, m := range p.Milestones {
		if m.Status == MilestoneMissed {
			pk.Warnings = append(pk.Warnings, fmt.Sprintf("Milestone hari ke-%d sudah lewat saat pilot dicatat; tidak ada pengingat yang dikirim.", m.Day))
		}
	}
	return pk
}

// FormatKPI writes a value in its unit the Indonesian way: "42", "37,5%",
// "Rp 12.500.000"; "–" without a value.
func FormatKPI(unit KPIUnit, v *float64) string {
	if v == nil {
		return "–"
	}
	switch unit {
	case KPIUnitPercent:
		return FormatPct(v)
	case KPIUnitRupiah:
		return FormatRupiah(int64(math.Round(*v)))
	}
	if *v == math.Trunc(*v) {
		return groupThousands(int64(*v))
	}
	return formatDecimal(*v)
}

// FormatPct writes a percentage with a decimal comma: "37,5%", "–" for nil.
func FormatPct(v *float64) string {
	if v == nil {
		return "–"
	}
	return formatDecimal(*v) + "%"
}

func formatDecimal(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return groupThousands(int64(math.Round(v)))
	}
	whole, frac := s[:len(s)-2], s[len(s)-1:]
	var w int64
	fmt.Sscan(whole, &w)
	sign := ""
	if v < 0 && w == 0 {
		sign = "-"
	}
	return sign + groupThousands(w) + "," + frac
}

// DashboardFilter is the scope and period of a dashboard: one kelurahan
// ("" is the whole city) and [From, To). Now is the moment "new in 24
// hours" and "overdue" are measured at.
type DashboardFilter struct {
	Kelurahan string
	From, To  time.Time
	Now       time.Time
}

// SLAFigure is one SLA clock's compliance.
type SLAFigure struct {
	Ended  int      `json:"ended"`
	OnTime int      `json:"on_time"`
	Pct    *float64 `json:"pct"`
}

// CurhatSummary is the headline row of the HAI LURAH dashboard.
type CurhatSummary struct {
	Total                int       `json:"total"`
	New24h               int       `json:"new_24h"`
	FollowedUp           int       `json:"followed_up"`
	FollowedUpPct        *float64  `json:"followed_up_pct"`
	Replied              int       `json:"replied"`
	MedianReplySeconds   *float64  `json:"median_ai_reply_seconds"`
	ModeratorSLA         SLAFigure `json:"moderator_sla"`
	DinasSLA             SLAFigure `json:"dinas_sla"`
	Resolved             int       `json:"resolved"`
	MedianResolveSeconds *float64  `json:"median_resolve_seconds"`
	Rated                int       `json:"rated"`
	Satisfied            int       `json:"satisfied"`
	SatisfactionPct      *float64  `json:"satisfaction_pct"`
	OverdueNow           int       `json:"overdue_now"`
}

// CurhatBreakdownRow is one kelurahan's figures on the city dashboard.
// Kelurahan "" is the city triage queue.
type CurhatBreakdownRow struct {
	Kelurahan     string   `json:"kelurahan"`
	KelurahanName string   `json:"kelurahan_name"`
	Total         int      `json:"total"`
	FollowedUpPct *float64 `json:"followed_up_pct"`
	ModeratorPct  *float64 `json:"moderator_sla_pct"`
	DinasPct      *float64 `json:"dinas_sla_pct"`
	Satisfaction  *float64 `json:"satisfaction_pct"`
	OverdueNow    int      `json:"overdue_now"`
}

// CategoryCount is one kategori's tickets in the period.
type CategoryCount struct {
	Kategori string   `json:"kategori"`
	Count    int      `json:"count"`
	Pct      *float64 `json:"pct"`
}

// UrgencyDay is one day of the urgency trend: tickets received per
// urgency level (index 0 = not yet triaged) and their mean urgency.
type UrgencyDay struct {
	Day        string   `json:"day"` // YYYY-MM-DD, in the kelurahan's zone
	Total      int      `json:"total"`
	ByUrgency  [6]int   `json:"by_urgency"`
	AvgUrgency *float64 `json:"avg_urgency"`
}

// HeatCell is the number of tickets of one RT/RW (or, city-wide, one RW of
// a kelurahan) in the period.
type HeatCell struct {
	Kelurahan string `json:"kelurahan"`
	RW        string `json:"rw"`
	RT        string `json:"rt"`
	Count     int    `json:"count"`
}

// UnitOverdue is a dinas unit's open tasks and how many are past due now.
// Unit "" is the kelurahan moderators' verification queue.
type UnitOverdue struct {
	Unit     string     `json:"unit"`
	Open     int        `json:"open"`
	Overdue  int        `json:"overdue"`
	Oldest   *time.Time `json:"oldest_due,omitempty"`
	MaxLateH *float64   `json:"max_late_hours"`
}

// BoardTicket is a ticket on the dashboard's board.
type BoardTicket struct {
	ID         string       `json:"id"`
	Kelurahan  string       `json:"kelurahan"`
	Status     TicketStatus `json:"status"`
	Kategori   string       `json:"kategori"`
	Urgency    int          `json:"urgency"`
	RT         string       `json:"rt"`
	RW         string       `json:"rw"`
	Unit       string       `json:"unit"`
	Summary    string       `json:"summary"`
	Due        *time.Time   `json:"due"`
	Breached   bool         `json:"breached"`
	ReceivedAt time.Time    `json:"received_at"`
}

// BoardColumn is one status of the board: how many tickets are in it now
// and the most urgent of them.
type BoardColumn struct {
	Status  TicketStatus  `json:"status"`
	Count   int           `json:"count"`
	Tickets []BoardTicket `json:"tickets"`
}

// CurhatDashboard is the HAI LURAH dashboard of one kelurahan or the city.
type CurhatDashboard struct {
	Kelurahan    string               `json:"kelurahan"` // "" = city
	From         time.Time            `json:"from"`
	To           time.Time            `json:"to"`
	Summary      CurhatSummary        `json:"summary"`
	Breakdown    []CurhatBreakdownRow `json:"breakdown"`
	Categories   []CategoryCount      `json:"categories"`
	UrgencyTrend []UrgencyDay         `json:"urgency_trend"`
	Heatmap      []HeatCell           `json:"heatmap"`
	OverdueUnits []UnitOverdue        `json:"overdue_units"`
	Board        []BoardColumn        `json:"board"`
}

// ProgrammeKPI is one SIAP-TAMAN KPI on the dashboard.
type ProgrammeKPI struct {
	Code            string       `json:"code"`
	Label           string       `json:"label"`
	Unit            KPIUnit      `json:"unit"`
	Target          float64      `json:"target"`
	Actual          *float64     `json:"actual"`
	PercentOfTarget *float64     `json:"percent_of_target"`
	Num             float64      `json:"num"`
	Den             float64      `json:"den"`
	Trend           []TrendPoint `json:"trend"`
	Description     string       `json:"description"`
}

// ProgrammeBreakdownRow is one kelurahan's KPI values on the city dashboard.
type ProgrammeBreakdownRow struct {
	Kelurahan     string              `json:"kelurahan"`
	KelurahanName string              `json:"kelurahan_name"`
	Values        map[string]KPIValue `json:"values"`
	GrantBudget   int64               `json:"grant_budget"`
}

// ProgrammeDashboard is the SIAP-TAMAN dashboard.
type ProgrammeDashboard struct {
	Kelurahan string                  `json:"kelurahan"`
	From      time.Time               `json:"from"`
	To        time.Time               `json:"to"`
	KPIs      []ProgrammeKPI          `json:"kpis"`
	Breakdown []ProgrammeBreakdownRow `json:"breakdown"`
	Pilots    []*Pilot                `json:"pilots"`
	// Summary is Lampiran C's summary at the end of the period.
	Summary LampiranCSummary `json:"summary"`
}

// LampiranCSummary is the seed's summary_kpi.csv: the share of households
// with an active business, their mean monthly omzet and the DTKS count.
type LampiranCSummary struct {
	PercentActive *float64 `json:"percent_active"`
	AvgOmzet      *float64 `json:"avg_omzet"`
	DTKSCount     int      `json:"dtks_count"`
}

// KPIService measures KPIs and builds the dashboards from the store.
type KPIService interface {
	// MeasureKPIs measures every catalogue KPI in scope over [from, to).
	// Values without data are nil, never NaN. Returns EINVALID unless from
	// is before to.
	MeasureKPIs(ctx context.Context, scope KPIScope, from, to time.Time) (map[string]KPIValue, error)
	// CurhatFigures measures the curhat service figures of scope.
	CurhatFigures(ctx context.Context, scope KPIScope, from, to time.Time) (*CurhatFigures, error)
	CurhatDashboard(ctx context.Context, f DashboardFilter) (*CurhatDashboard, error)
	ProgrammeDashboard(ctx context.Context, f DashboardFilter) (*ProgrammeDashboard, error)
	// OpenDataCounts returns the exact counts behind the public page; only
	// PublishOpenData may turn them into something the public sees.
	OpenDataCounts(ctx context.Context, kelurahan string, from, to time.Time) (*OpenDataCounts, error)
}
