package devserver

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

func newTestLogger() (*slogLogger, *bytes.Buffer) {
	var buf bytes.Buffer
	out := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return newSlogLogger(out, slog.LevelWarn), &buf
}

func TestSlogLoggerLevelsAndTags(t *testing.T) {
	l, buf := newTestLogger()
	l.started()

	l.Info("shard acquired", tag.ShardID(1))
	l.Debug("membership changed")
	if buf.Len() != 0 {
		t.Errorf("below warn level, got %q", buf.String())
	}

	l.With(tag.ShardID(3)).Warn("task failed", tag.Error(errors.New("disk full")))
	got := buf.String()
	for _, want := range []string{"level=WARN", `msg="task failed"`, "shard-id=3", `error="disk full"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log line %q lacks %s", got, want)
		}
	}

	buf.Reset()
	l.DPanic("odd state")
	if !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("DPanic logged %q, want an error", buf.String())
	}
}

func TestSlogLoggerStartUp(t *testing.T) {
	// A start that succeeds: what was held is thrown away.
	l, buf := newTestLogger()
	l.With(tag.ShardID(1)).Error("Frontend is not healthy yet")
	if buf.Len() != 0 {
		t.Errorf("written while starting: %q", buf.String())
	}
	l.started()
	if buf.Len() != 0 {
		t.Errorf("held records written after a good start: %q", buf.String())
	}

	// A start that fails: what was held is written, what follows is not.
	l, buf = newTestLogger()
	l.With(tag.ShardID(1)).Error("database is locked")
	l.failed()
	l.Error("Not enough hosts to serve the request")
	got := buf.String()
	if !strings.Contains(got, "database is locked") || strings.Contains(got, "Not enough hosts") {
		t.Errorf("after a failed start, got %q", got)
	}
}

func TestSlogLoggerStopping(t *testing.T) {
	l, buf := newTestLogger()
	shard := l.With(tag.ShardID(3))
	l.started()
	l.quiet()
	shard.Error("Not enough hosts to serve the request")
	if buf.Len() != 0 {
		t.Errorf("logged while stopping: %q", buf.String())
	}

	// A fatal error still shows, and Fatal does not return.
	func() {
		defer func() {
			var f fatalError
			if err, _ := recover().(error); !errors.As(err, &f) {
				t.Errorf("Fatal panicked with %v, want a fatalError", err)
			}
		}()
		shard.Fatal("Failed to start gRPC listener")
		t.Error("Fatal returned")
	}()
	if !strings.Contains(buf.String(), "Failed to start gRPC listener") {
		t.Errorf("Fatal logged %q", buf.String())
	}
}
