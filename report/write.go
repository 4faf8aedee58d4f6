package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hailurah/hailurah"
)

// CSVHeader are the CSV's columns: one row per figure of every section,
// so a spreadsheet can filter and pivot any report the same way.
var CSVHeader = []string{"laporan", "periode", "kelurahan", "bagian", "judul_bagian", "baris", "kolom", "nilai", "teks"}

// WriteCSV writes the document as UTF-8 CSV with a byte-order mark (so
// Excel reads Indonesian text right): the CSVHeader columns, nilai a plain
// number with a decimal point ("" for text), teks as the PDF prints it.
func WriteCSV(doc *Document) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	_ = w.Write(CSVHeader)
	kel := doc.Kelurahan
	if kel == "" {
		kel = "kota"
	}
	for _, s := range doc.Sections {
		for _, r := range s.Rows {
			for i, c := range r.Cells {
				col := ""
				if i+1 < len(s.Columns) {
					col = s.Columns[i+1]
				}
				val := ""
				if c.Value != nil {
					val = strconv.FormatFloat(*c.Value, 'f', -1, 64)
				}
				_ = w.Write([]string{doc.Kind, doc.Period, kel, s.Key, cell(s.Title), cell(r.Label), cell(col), val, cell(c.Text)})
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("report: write CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// cell keeps a spreadsheet from running a cell as a formula.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// WriteJSON writes the document as indented JSON.
func WriteJSON(doc *Document) ([]byte, error) {
	return json.MarshalIndent(doc, "", "  ")
}

// Write writes the document in format (hailurah.ReportPDF, CSV, JSON).
func Write(doc *Document, format string) ([]byte, error) {
	switch format {
	case hailurah.ReportPDF:
		return WritePDF(doc, PDFOptions{})
	case hailurah.ReportCSV:
		return WriteCSV(doc)
	case hailurah.ReportJSON:
		return WriteJSON(doc)
	}
	return nil, hailurah.FieldErrorf("format", "format harus pdf, csv atau json.")
}

// ContentType is the MIME type of a format.
func ContentType(format string) string {
	switch format {
	case hailurah.ReportPDF:
		return "application/pdf"
	case hailurah.ReportCSV:
		return "text/csv; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// FileName is a report's download name: "laporan-siap-taman-taman-2026-11.pdf".
func FileName(kind, period, kelurahan, format string) string {
	if kelurahan == "" {
		kelurahan = "kota"
	}
	return fmt.Sprintf("laporan-%s-%s-%s.%s", kind, kelurahan, period, format)
}
