package triage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hailurah/hailurah"
)

// maxCLILine bounds one input line; a WhatsApp message is at most 4096
// characters, so anything near this is not a message.
const maxCLILine = 64 * 1024

// cliInput is one line of `hailurah triage` input.
type cliInput struct {
	Text *string `json:"text"`
	// ID is echoed back so results can be joined to their inputs.
	ID json.RawMessage `json:"id,omitempty"`
}

// cliOutput is one line of `hailurah triage` output.
type cliOutput struct {
	ID           json.RawMessage `json:"id,omitempty"`
	Kategori     string          `json:"kategori"`
	Subkategori  string          `json:"subkategori"`
	Urgency      int             `json:"urgency"`
	Severity     string          `json:"severity"`
	RT           string          `json:"rt"`
	RW           string          `json:"rw"`
	Kelurahan    string          `json:"kelurahan"`
	Tembusan     *bool           `json:"tembusan"`
	Anonim       *bool           `json:"anonim"`
	Escalate     bool            `json:"escalate"`
	Unit         string          `json:"unit"`
	Summary      string          `json:"summary"`
	Solutions    Solutions       `json:"solutions"`
	ModelVersion string          `json:"model_version"`
	// ClassifierVersion names the rules, model and floor that decided.
	ClassifierVersion string `json:"classifier_version,omitempty"`
	// Safety names the dangers to life the safety floor found.
	Safety         []string `json:"safety,omitempty"`
	Fallback       string   `json:"fallback,omitempty"`
	PeopleAffected int      `json:"people_affected,omitempty"`
}

type cliError struct {
	ID    json.RawMessage `json:"id,omitempty"`
	Line  int             `json:"line"`
	Error string          `json:"error"`
}

// RunCLI reads JSON lines {"text": "..."} from in and writes one JSON line
// per input line to out: the triage, or {"error": "..."} for a line that is
// not valid input. Blank lines are skipped. It stops at the first read or
// write error, or when ctx is done.
func RunCLI(ctx context.Context, in io.Reader, out io.Writer, c Classifier) error {
	r := bufio.NewReaderSize(in, 64*1024)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, tooLong, err := readLine(r)
		if err != nil && err != io.EOF {
			return fmt.Errorf("triage: read line %d: %w", line, err)
		}
		if len(bytes.TrimSpace(raw)) > 0 || tooLong {
			if werr := enc.Encode(cliLine(ctx, c, raw, tooLong, line)); werr != nil {
				return fmt.Errorf("triage: write: %w", werr)
			}
			// Flush per line so a pipeline sees results as they come.
			if werr := w.Flush(); werr != nil {
				return fmt.Errorf("triage: write: %w", werr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line, discarding the rest of a line longer than
// maxCLILine.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > maxCLILine {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if err != bufio.ErrBufferFull {
			return line, tooLong, err
		}
	}
}

func cliLine(ctx context.Context, c Classifier, raw []byte, tooLong bool, line int) any {
	if tooLong {
		return cliError{Line: line, Error: fmt.Sprintf("line longer than %d bytes", maxCLILine)}
	}
	if !utf8.Valid(raw) {
		return cliError{Line: line, Error: "line is not valid UTF-8"}
	}
	var in cliInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return cliError{Line: line, Error: "invalid JSON: " + err.Error() + `; expected {"text": "..."}`}
	}
	if dec.More() {
		return cliError{Line: line, ID: in.ID, Error: "more than one JSON value on the line"}
	}
	if in.Text == nil {
		return cliError{Line: line, ID: in.ID, Error: `missing field "text"`}
	}
	if strings.TrimSpace(*in.Text) == "" {
		return cliError{Line: line, ID: in.ID, Error: `field "text" is empty`}
	}
	t, err := c.Classify(ctx, *in.Text)
	if err != nil {
		return cliError{Line: line, ID: in.ID, Error: hailurah.ErrorMessage(err)}
	}
	return cliOutput{
		ID: in.ID, Kategori: t.Kategori, Subkategori: t.Subkategori, Urgency: t.Urgency,
		Severity: t.Severity, RT: t.RT, RW: t.RW, Kelurahan: t.Kelurahan, Tembusan: t.Tembusan,
		Anonim: t.Anonim, Escalate: t.Escalate, Unit: t.Unit, Summary: t.Summary,
		Solutions: t.Solutions, ModelVersion: t.ModelVersion, Fallback: t.Fallback,
		ClassifierVersion: t.ClassifierVersion, Safety: t.Safety,
		PeopleAffected: t.PeopleAffected,
	}
}
