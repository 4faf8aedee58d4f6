package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestAdminCommands runs the production set-up commands against a fresh
// SQLite data dir: migrate, a kelurahan, users of every kind.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "HAILURAH_DATA_DIR" {
			return dir
		}
		return ""
	}
	cmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, env, strings.NewReader(""), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := cmd("migrate", "up")
	if err != nil || !strings.Contains(out, "unit dinas baru") {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	// Units come from rules.yaml, so a dinas user can be added right away.
	if out, err := cmd("user", "add", "--role", "dinas", "--unit", "pupr", "--password", "sandi-rahasia-1", "budi"); err != nil || !strings.Contains(out, "budi") {
		t.Fatalf("user add dinas: %v\n%s", err, out)
	}
	if _, err := cmd("user", "add", "--role", "moderator", "--kelurahan", "taman", "--password", "sandi-rahasia-1", "sari"); err == nil {
		t.Fatal("a moderator of a kelurahan that does not exist was created")
	}
	if out, err := cmd("kelurahan", "add", "taman", "--name", "Taman", "--kecamatan", "Taman", "--lurah", "Irfa Darojat"); err != nil {
		t.Fatalf("kelurahan add: %v\n%s", err, out)
	}
	if out, err := cmd("user", "add", "sari", "--role", "moderator", "--kelurahan", "taman"); err != nil || !strings.Contains(out, "Kata sandi:") {
		t.Fatalf("user add moderator with a generated password: %v\n%s", err, out)
	}
	// A WhatsApp number for notices: written as people write it, one per
	// active user, Indonesian.
	if out, err := cmd("user", "add", "--role", "dinas", "--unit", "pupr", "--phone", "0812-3456-7890", "--password", "sandi-rahasia-1", "eko"); err != nil {
		t.Fatalf("user add with a phone: %v\n%s", err, out)
	}
	if out, err := cmd("user", "add", "--role", "dinas", "--unit", "dlh", "--phone", "+62 812 3456 7890", "--password", "sandi-rahasia-1", "joko"); err == nil ||
		!strings.Contains(err.Error(), "sudah dipakai") {
		t.Fatalf("a second user with the same phone: %v\n%s", err, out)
	}
	if out, err := cmd("user", "add", "--role", "dinas", "--unit", "dlh", "--phone", "+1 650 555 1234", "--password", "sandi-rahasia-1", "joko"); err == nil ||
		!strings.Contains(err.Error(), "+62") {
		t.Fatalf("a foreign phone: %v\n%s", err, out)
	}
	if out, err := cmd("user", "add", "--role", "dinas", "--password", "pendek", "andi"); err == nil {
		t.Fatalf("dinas without unit and a short password accepted:\n%s", out)
	}
	out, err = cmd("user", "list")
	if err != nil || !strings.Contains(out, "budi") || !strings.Contains(out, "sari") || !strings.Contains(out, "+6281234567890") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
	if out, err := cmd("migrate", "status"); err != nil || strings.Contains(out, "Pending") {
		t.Fatalf("migrate status: %v\n%s", err, out)
	}
	if _, err := cmd("terbang"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if out, err := cmd("help"); err != nil || !strings.Contains(out, "hailurah dev") {
		t.Fatalf("help: %v %s", err, out)
	}
}

// TestTriageCommand reads JSON lines and writes one result per line,
// offline, with the rules classifier.
func TestTriageCommand(t *testing.T) {
	in := strings.NewReader(`{"text": "HAI LURAH Taman\nrt 3 rw 2 got mampet, kalau hujan banjir sampai rumah"}` + "\n" + `{"text": ""}` + "\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"triage"}, func(string) string { return "" }, in, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"kategori":"lingkungan"`) || !strings.Contains(lines[0], `"rt":"03"`) || !strings.Contains(lines[1], `"error"`) {
		t.Fatalf("triage output:\n%s", out.String())
	}
}
