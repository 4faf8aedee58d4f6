package whatsapp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hailurah/hailurah"
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wantCode fails unless err is an application error with the given code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want code %s", code)
	}
	if got := hailurah.ErrorCode(err); got != code {
		tb.Fatalf("got code %s (%v), want %s", got, err, code)
	}
}

// mutateText returns the text.json fixture after edit has changed its first
// change value and its first message.
func mutateText(tb testing.TB, edit func(value, msg map[string]any)) []byte {
	tb.Helper()
	var p map[string]any
	if err := json.Unmarshal(fixture(tb, "text.json"), &p); err != nil {
		tb.Fatal(err)
	}
	change := p["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	value := change["value"].(map[string]any)
	msg := value["messages"].([]any)[0].(map[string]any)
	edit(value, msg)
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }
