package triage

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRunCLI(t *testing.T) {
	in := strings.Join([]string{
		`{"text": "HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, got mampet, rumah banjir tiap hujan, anak batuk.\nTEMBUSAN: TIDAK\nANONIM: YA"}`,
		``,
		`not json`,
		`{"text": ""}`,
		`{"message": "sampah"}`,
		`{"id": 7, "text": "KEBAKARAN pak di gang 4 rt 2, api sudah merembet!!"}`,
		`{"text": 5}`,
		`{"text": "lampu jalan mati"} {"text": "dua"}`,
		`   {"text": "syarat bikin KTP apa aja?"}   `,
	}, "\n")
	var out strings.Builder
	if err := RunCLI(context.Background(), strings.NewReader(in), &out, NewRulesClassifier(testRules(t))); err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("output line is not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != 8 {
		t.Fatalf("got %d output lines for 8 non-blank inputs:\n%s", len(lines), out.String())
	}
	first := lines[0]
	for k, want := range map[string]any{
		"kategori": "lingkungan", "urgency": 4.0, "severity": "High", "rt": "03", "rw": "02", "kelurahan": "Taman",
		"tembusan": false, "anonim": true, "escalate": true, "unit": "dlh", "model_version": "rules-v1",
	} {
		if first[k] != want {
			t.Errorf("line 1 %s = %v, want %v", k, first[k], want)
		}
	}
	for _, k := range []string{"subkategori", "summary", "solutions"} {
		if first[k] == nil || first[k] == "" {
			t.Errorf("line 1 lacks %s", k)
		}
	}
	wantErr := map[int]string{1: "invalid JSON", 2: `"text" is empty`, 3: "unknown field", 5: "invalid JSON", 6: "more than one JSON value"}
	for i, want := range wantErr {
		msg, _ := lines[i]["error"].(string)
		if !strings.Contains(msg, want) {
			t.Errorf("line %d error = %q, want it to contain %q", i+1, msg, want)
		}
	}
	if lines[4]["id"] != 7.0 || lines[4]["kategori"] != "bencana" || lines[4]["urgency"] != 5.0 {
		t.Errorf("fire line = %v", lines[4])
	}
	if v, _ := lines[4]["classifier_version"].(string); !strings.HasPrefix(v, "rules-v1+nb-") || lines[4]["safety"] == nil {
		t.Errorf("fire line: classifier_version %v, safety %v; want the model named and the floor's reason", lines[4]["classifier_version"], lines[4]["safety"])
	}
	if lines[7]["kategori"] != "administrasi" || lines[7]["tembusan"] != nil {
		t.Errorf("KTP line = %v", lines[7])
	}
}

func TestRunCLILongLineAndCancel(t *testing.T) {
	in := `{"text": "` + strings.Repeat("a", maxCLILine+10) + `"}` + "\n" + `{"text": "got mampet"}` + "\n"
	var out strings.Builder
	if err := RunCLI(context.Background(), strings.NewReader(in), &out, NewRulesClassifier(testRules(t))); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "longer than") || !strings.Contains(lines[1], `"kategori":"lingkungan"`) {
		t.Errorf("output:\n%s", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := RunCLI(ctx, strings.NewReader(`{"text": "got mampet"}`), &out, NewRulesClassifier(testRules(t)))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
