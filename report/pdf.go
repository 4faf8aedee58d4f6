package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/chart"
)

// PDFOptions tunes the PDF. The zero value is what the office sends.
type PDFOptions struct {
	// Uncompressed writes the pages' content as plain text, so a test can
	// read the words without inflating streams.
	Uncompressed bool
}

// Page geometry, in millimetres.
const (
	margin     = 15.0
	rowH       = 6.0
	chartRowH  = 6.5
	lineChartH = 62.0
	// wideColumns is how many columns a table may have on a portrait
	// page; wider ones get a landscape page.
	wideColumns = 6
)

// Colours: the staff pages' green, and a palette for lines.
var (
	brand   = [3]int{22, 101, 52}
	palette = [][3]int{{22, 101, 52}, {37, 99, 235}, {217, 119, 6}, {190, 24, 93}, {124, 58, 237},
		{8, 145, 178}, {101, 163, 13}, {220, 38, 38}, {71, 85, 105}, {161, 98, 7}, {14, 116, 144}, {192, 38, 211}}
)

// WritePDF writes the document as an A4 PDF: a cover, then each section's
// chart and table, with the report's name and page numbers in the footer.
func WritePDF(doc *Document, opt PDFOptions) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(!opt.Uncompressed)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pdf.SetCreationDate(doc.MadeAt)
	pdf.SetModificationDate(doc.MadeAt)
	tr := translator(pdf)
	pdf.SetTitle(tr(doc.Title+" "+doc.PeriodLabel), false)
	pdf.SetAuthor("HAI LURAH", false)
	pdf.SetCreator("HAI LURAH", false)
	p := &pdfWriter{pdf: pdf, tr: tr, doc: doc}
	pdf.SetFooterFunc(p.footer)
	p.cover()
	for _, s := range doc.Sections {
		p.section(s)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// translator writes text in the core fonts' code page (cp1252), which
// holds Indonesian letters, "–" and "•"; the few signs it lacks are
// spelled out.
func translator(pdf *fpdf.Fpdf) func(string) string {
	cp := pdf.UnicodeTranslatorFromDescriptor("")
	spell := strings.NewReplacer("≥", ">=", "≤", "<=", "→", "->", "×", "x")
	return func(s string) string { return cp(spell.Replace(s)) }
}

type pdfWriter struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
	doc *Document
	// landscape is the orientation of the current page.
	landscape bool
}

func (p *pdfWriter) width() float64 {
	w, _ := p.pdf.GetPageSize()
	return w - 2*margin
}

func (p *pdfWriter) footer() {
	if p.pdf.PageNo() == 1 {
		return
	}
	p.pdf.SetY(-13)
	p.pdf.SetFont("Helvetica", "", 8)
	p.pdf.SetTextColor(100, 100, 100)
	p.pdf.CellFormat(p.width()*0.7, 5, p.tr(fmt.Sprintf("%s · %s · %s", p.doc.Title, p.doc.KelurahanName, p.doc.PeriodLabel)), "T", 0, "L", false, 0, "")
	p.pdf.CellFormat(p.width()*0.3, 5, p.tr(fmt.Sprintf("Halaman %d dari {nb}", p.pdf.PageNo())), "T", 0, "R", false, 0, "")
	p.pdf.SetTextColor(0, 0, 0)
}

// cover is the first page: what, where, when, for whom, and the sections.
func (p *pdfWriter) cover() {
	pdf, d := p.pdf, p.doc
	pdf.AddPage()
	pdf.SetFillColor(brand[0], brand[1], brand[2])
	pdf.Rect(0, 0, 210, 70, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetXY(margin, 22)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, p.tr("PEMERINTAH "+strings.ToUpper(cityOf(d.Place))), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 24)
	pdf.MultiCell(0, 11, p.tr(d.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 14)
	pdf.CellFormat(0, 8, p.tr(d.PeriodLabel), "", 1, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.SetY(85)
	facts := [][2]string{
		{"Wilayah", d.Place},
		{"Periode", fmt.Sprintf("%s (%s)", d.PeriodLabel, d.Dates)},
		{"Kepada", d.Recipients},
		{"Dibuat", d.MadeAtLabel},
	}
	for _, f := range facts {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(35, 8, p.tr(f[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 8, p.tr(f[1]), "", "L", false)
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 8, p.tr("Isi laporan"), "B", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	for i, s := range d.Sections {
		pdf.CellFormat(0, 7, p.tr(fmt.Sprintf("%d. %s", i+1, s.Title)), "", 1, "L", false, 0, "")
	}
	if n := flagged(d.KPIs); n != "" {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 8, p.tr("Perlu perhatian"), "B", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, p.tr(n), "", "L", false)
	}
	pdf.SetY(-35)
	pdf.SetFont("Helvetica", "I", 9)
	pdf.SetTextColor(90, 90, 90)
	pdf.MultiCell(0, 5, p.tr("Dibuat otomatis oleh HAI LURAH dari data layanan dan program kelurahan. Semua angka berupa jumlah; "+
		"identitas warga, termasuk pelapor anonim, tidak dimuat."), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
}

// cityOf is the city in a place's words: the part after the last comma.
func cityOf(place string) string {
	if i := strings.LastIndex(place, ", "); i >= 0 {
		place = place[i+2:]
	}
	if i := strings.Index(place, " ("); i >= 0 {
		place = place[:i]
	}
	return place
}

// flagged lists the KPIs behind their expected progress.
func flagged(rows []KPIRow) string {
	var out []string
	for _, r := range rows {
		if r.Flag == hailurah.FlagOffTrack || r.Flag == hailurah.FlagAtRisk {
			out = append(out, fmt.Sprintf("• %s: %s dari target (%s)", r.Label, hailurah.FormatPct(r.PercentOfTarget), strings.ToLower(r.FlagLabel)))
		}
	}
	return strings.Join(out, "\n")
}

// section starts a page in the table's orientation and draws the section.
func (p *pdfWriter) section(s Section) {
	wide := len(s.Columns) > wideColumns
	if wide {
		p.pdf.AddPageFormat("L", p.pdf.GetPageSizeStr("A4"))
	} else if p.landscape || p.pdf.PageNo() == 1 || p.pdf.GetY() > 200 {
		p.pdf.AddPageFormat("P", p.pdf.GetPageSizeStr("A4"))
	} else {
		p.pdf.Ln(6)
	}
	p.landscape = wide
	p.pdf.SetFont("Helvetica", "B", 14)
	p.pdf.SetTextColor(brand[0], brand[1], brand[2])
	p.pdf.MultiCell(0, 8, p.tr(s.Title), "", "L", false)
	p.pdf.SetTextColor(0, 0, 0)
	if s.Note != "" {
		p.pdf.SetFont("Helvetica", "", 9)
		p.pdf.MultiCell(0, 4.5, p.tr(s.Note), "", "L", false)
	}
	p.pdf.Ln(2)
	if s.Chart != nil {
		switch s.Chart.Kind {
		case ChartBars:
			p.bars(s.Chart)
		case ChartLine:
			p.lines(s.Chart)
		}
		p.pdf.Ln(3)
	}
	p.table(s)
}

// bars draws a horizontal bar chart with chart.NewHBarChart's layout,
// scaled from its 600-unit width to the page.
func (p *pdfWriter) bars(c *Chart) {
	if len(c.Items) == 0 {
		return
	}
	items := make([]chart.HBar, len(c.Items))
	values := make([]float64, len(c.Items))
	for i, it := range c.Items {
		items[i] = chart.HBar{Label: it.Label, Value: it.Text}
		if it.Value != nil {
			values[i] = math.Max(0, *it.Value)
		}
	}
	if c.Target != nil {
		// A hidden bar of the target's length makes the scale hold it.
		items, values = append(items, chart.HBar{}), append(values, *c.Target)
	}
	ch := chart.NewHBarChart(items, values, nil)
	k := p.width() / float64(ch.Width)
	rowK := chartRowH / 30 // one chart row is 30 units tall
	pdf := p.pdf
	top := pdf.GetY()
	n := len(c.Items)
	if top+float64(n)*chartRowH+10 > 280 {
		pdf.AddPage()
		top = pdf.GetY()
	}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.CellFormat(0, 5, p.tr(c.Title), "", 1, "L", false, 0, "")
	top += 6
	pdf.SetFont("Helvetica", "", 8)
	for i, b := range ch.Bars[:n] {
		y := top + float64(b.Y)*rowK
		label := b.Label
		for pdf.GetStringWidth(p.tr(label)) > float64(ch.LabelW)*k && len(label) > 4 {
			label = strings.TrimSpace(label[:len(label)-4]) + "…"
		}
		pdf.SetXY(margin, y)
		pdf.CellFormat(float64(ch.LabelW)*k, 20*rowK, p.tr(label), "", 0, "R", false, 0, "")
		col := palette[i%len(palette)]
		pdf.SetFillColor(col[0], col[1], col[2])
		if b.W > 0 {
			pdf.Rect(margin+float64(ch.ValueX)*k, y, float64(b.W)*k, 20*rowK, "F")
		}
		pdf.SetXY(margin+float64(b.TX)*k, y)
		pdf.CellFormat(30, 20*rowK, p.tr(b.Value), "", 0, "L", false, 0, "")
	}
	if c.Target != nil {
		tb := ch.Bars[n]
		x := margin + float64(ch.ValueX+tb.W)*k
		pdf.SetDrawColor(200, 30, 30)
		pdf.SetDashPattern([]float64{1, 1}, 0)
		pdf.Line(x, top, x, top+float64(n)*chartRowH)
		pdf.SetDashPattern(nil, 0)
		pdf.SetXY(x-15, top+float64(n)*chartRowH)
		pdf.SetTextColor(200, 30, 30)
		pdf.CellFormat(30, 4, p.tr("target"), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetDrawColor(0, 0, 0)
	}
	pdf.SetY(top + float64(n)*chartRowH + 5)
}

// lines draws each series over the x labels, on a scale from 0 to a round
// number above the largest value (and the target, dashed).
func (p *pdfWriter) lines(c *Chart) {
	pdf := p.pdf
	if len(c.XLabels) == 0 {
		return
	}
	if pdf.GetY()+lineChartH+20 > 280 {
		pdf.AddPage()
	}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.CellFormat(0, 5, p.tr(c.Title), "", 1, "L", false, 0, "")
	top := pdf.GetY() + 2
	left, right := margin+12, margin+p.width()
	bottom := top + lineChartH - 10
	top0 := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != nil {
				top0 = math.Max(top0, *v)
			}
		}
	}
	if c.Target != nil {
		top0 = math.Max(top0, *c.Target)
	}
	ceil := niceCeil(top0)
	y := func(v float64) float64 { return bottom - v/ceil*(bottom-top) }
	x := func(i int) float64 {
		if len(c.XLabels) == 1 {
			return (left + right) / 2
		}
		return left + float64(i)/float64(len(c.XLabels)-1)*(right-left)
	}
	pdf.SetFont("Helvetica", "", 7)
	pdf.SetDrawColor(210, 210, 210)
	pdf.SetLineWidth(0.2)
	// Five steps of a round top are round: 25 → 5, 200 → 40.
	for i := 0; i <= 5; i++ {
		v := ceil * float64(i) / 5
		pdf.Line(left, y(v), right, y(v))
		pdf.SetXY(margin, y(v)-2)
		pdf.CellFormat(11, 4, p.tr(hailurah.FormatKPI(hailurah.KPIUnitCount, &v)), "", 0, "R", false, 0, "")
	}
	every := max(1, len(c.XLabels)/10)
	for i, l := range c.XLabels {
		if i%every == 0 || i == len(c.XLabels)-1 {
			pdf.SetXY(x(i)-10, bottom+1)
			pdf.CellFormat(20, 4, p.tr(l), "", 0, "C", false, 0, "")
		}
	}
	if c.Target != nil {
		pdf.SetDrawColor(200, 30, 30)
		pdf.SetDashPattern([]float64{1.5, 1}, 0)
		pdf.Line(left, y(*c.Target), right, y(*c.Target))
		pdf.SetDashPattern(nil, 0)
	}
	pdf.SetLineWidth(0.6)
	for si, s := range c.Series {
		col := palette[si%len(palette)]
		pdf.SetDrawColor(col[0], col[1], col[2])
		pdf.SetFillColor(col[0], col[1], col[2])
		var prev *fpdf.PointType
		for i, v := range s.Values {
			if v == nil {
				prev = nil
				continue
			}
			pt := fpdf.PointType{X: x(i), Y: y(*v)}
			if prev != nil {
				pdf.Line(prev.X, prev.Y, pt.X, pt.Y)
			}
			pdf.Circle(pt.X, pt.Y, 0.7, "F")
			prev = &pt
		}
	}
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetY(bottom + 7)
	if len(c.Series) > 1 {
		p.legend(c.Series)
	}
}

// legend names each line's colour, several to a row.
func (p *pdfWriter) legend(series []Series) {
	pdf := p.pdf
	pdf.SetFont("Helvetica", "", 7)
	colW := p.width() / 3
	for i, s := range series {
		if i%3 == 0 && i > 0 {
			pdf.Ln(4.5)
		}
		col := palette[i%len(palette)]
		x := margin + float64(i%3)*colW
		yy := pdf.GetY()
		pdf.SetFillColor(col[0], col[1], col[2])
		pdf.Rect(x, yy+1.2, 4, 2, "F")
		pdf.SetXY(x+5, yy)
		pdf.CellFormat(colW-6, 4.5, p.tr(s.Label), "", 0, "L", false, 0, "")
		pdf.SetY(yy)
	}
	pdf.Ln(6)
}

// niceCeil is the round number a scale ends at: 1, 2, 2.5 or 5 times a
// power of ten at or above v.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// table draws the section's rows: the label column wider, figures right
// aligned, headers wrapped, rows shaded alternately; the header repeats
// on a new page.
func (p *pdfWriter) table(s Section) {
	pdf := p.pdf
	if len(s.Rows) == 0 {
		if s.Note == "" {
			pdf.SetFont("Helvetica", "I", 9)
			pdf.CellFormat(0, 6, p.tr("Tidak ada data dalam periode ini."), "", 1, "L", false, 0, "")
		}
		return
	}
	n := len(s.Columns)
	labelW := math.Min(p.width()*0.42, math.Max(p.width()*0.22, p.width()-float64(n-1)*26))
	cellW := (p.width() - labelW) / float64(max(1, n-1))
	widths := make([]float64, n)
	widths[0] = labelW
	for i := 1; i < n; i++ {
		widths[i] = cellW
	}
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(brand[0], brand[1], brand[2])
		pdf.SetTextColor(255, 255, 255)
		lines := 1
		for i, c := range s.Columns {
			lines = max(lines, len(pdf.SplitText(c, widths[i]-2)))
		}
		h := float64(lines)*4 + 2
		x, y := pdf.GetX(), pdf.GetY()
		for i, c := range s.Columns {
			pdf.Rect(x, y, widths[i], h, "F")
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.SetXY(x+1, y+1)
			pdf.MultiCell(widths[i]-2, 4, p.tr(c), "", align, false)
			x += widths[i]
		}
		pdf.SetXY(margin, y+h)
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont("Helvetica", "", 8)
	}
	_, pageH := pdf.GetPageSize()
	// A header never stands alone at the foot of a page.
	if pdf.GetY()+2*rowH+10 > pageH-20 {
		pdf.AddPage()
	}
	header()
	for ri, r := range s.Rows {
		// Every cell wraps in its column; figures align right, words left.
		texts := append([]string{r.Label}, make([]string, n-1)...)
		for i, c := range r.Cells {
			if i+1 < n {
				texts[i+1] = c.Text
			}
		}
		lines := make([][]string, n)
		h := rowH
		for i, t := range texts {
			// Split the UTF-8 words, translate each line: SplitText reads
			// runes, which the code page's bytes are not.
			lines[i] = pdf.SplitText(t, widths[i]-2)
			h = math.Max(h, float64(len(lines[i]))*4+2)
		}
		if pdf.GetY()+h > pageH-20 {
			pdf.AddPage()
			header()
		}
		x, y := margin, pdf.GetY()
		if ri%2 == 1 {
			pdf.SetFillColor(240, 245, 241)
			pdf.Rect(x, y, p.width(), h, "F")
		}
		for i := range texts {
			align := "L"
			if i > 0 && (i-1 >= len(r.Cells) || r.Cells[i-1].Value != nil || texts[i] == "–") {
				align = "R"
			}
			for li, l := range lines[i] {
				pdf.SetXY(x+1, y+1+float64(li)*4)
				pdf.CellFormat(widths[i]-2, 4, p.tr(l), "", 0, align, false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetDrawColor(220, 220, 220)
		pdf.Line(margin, y+h, margin+p.width(), y+h)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetXY(margin, y+h)
	}
}
