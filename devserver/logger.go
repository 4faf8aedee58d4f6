package devserver

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// defaultTemporalLogLevel keeps the embedded server quiet: at info level
// Temporal logs every shard movement, membership change and queue
// processor start, which drowns the application's own output.
const defaultTemporalLogLevel = slog.LevelWarn

// slogLogger adapts Temporal's log.Logger to a *slog.Logger.
//
// Tags are kept as tag.Tag values and turned into slog attributes only when a
// record passes the level check: Temporal calls With on every request and
// shard, and converting each tag's value (which goes through a zap encoder)
// for records that are then filtered out would be wasted work.
type slogLogger struct {
	out    *slog.Logger
	min    slog.Level
	prefix []tag.Tag
	phase  *logPhase // shared with every logger derived through With
}

var (
	_ log.Logger     = (*slogLogger)(nil)
	_ log.WithLogger = (*slogLogger)(nil)
)

// newSlogLogger returns a logger that holds its records back until started,
// failed or quiet is called; see logPhase.
func newSlogLogger(out *slog.Logger, min slog.Level) *slogLogger {
	return &slogLogger{out: out, min: min, phase: &logPhase{handler: out.Handler(), since: time.Now()}}
}

// fatalError is what Fatal panics with. Temporal's code assumes Fatal does
// not return (zap's Fatal exits the process); panicking keeps that promise
// while letting Start turn a fatal error during start-up (a port taken
// between our check and Temporal's bind, say) into an ordinary error instead
// of killing the hailurah process.
type fatalError struct{ msg string }

func (e fatalError) Error() string { return "temporal: fatal: " + e.msg }

func (l *slogLogger) Debug(msg string, tags ...tag.Tag) { l.log(slog.LevelDebug, msg, tags) }
func (l *slogLogger) Info(msg string, tags ...tag.Tag)  { l.log(slog.LevelInfo, msg, tags) }
func (l *slogLogger) Warn(msg string, tags ...tag.Tag)  { l.log(slog.LevelWarn, msg, tags) }
func (l *slogLogger) Error(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// DPanic panics only in development builds of zap; Temporal runs zap in
// production mode, where it is an error log.
func (l *slogLogger) DPanic(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// Panic and Fatal are written whatever the phase: they end the server.
func (l *slogLogger) Panic(msg string, tags ...tag.Tag) {
	if r, ok := l.record(slog.LevelError, msg, tags); ok {
		_ = l.phase.handler.Handle(context.Background(), r)
	}
	panic(msg)
}

func (l *slogLogger) Fatal(msg string, tags ...tag.Tag) {
	if r, ok := l.record(slog.LevelError, msg, tags); ok {
		_ = l.phase.handler.Handle(context.Background(), r)
	}
	panic(fatalError{msg: msg})
}

func (l *slogLogger) With(tags ...tag.Tag) log.Logger {
	return &slogLogger{out: l.out, min: l.min, prefix: slices.Concat(l.prefix, tags), phase: l.phase}
}

func (l *slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if r, ok := l.record(level, msg, tags); ok {
		l.phase.handle(r)
	}
}

// record builds the slog record, or reports false when level is filtered out.
func (l *slogLogger) record(level slog.Level, msg string, tags []tag.Tag) (slog.Record, bool) {
	if level < l.min || !l.out.Enabled(context.Background(), level) {
		return slog.Record{}, false
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	for _, t := range slices.Concat(l.prefix, tags) {
		r.AddAttrs(slog.Any(t.Key(), t.Value()))
	}
	return r, true
}

// Limits on holding records back during start-up.
const (
	// A start that takes longer than this is in trouble, and what Temporal
	// says about it is worth seeing while it happens.
	holdLimit = 10 * time.Second
	// Only the most recent records are kept for a failed start.
	maxHeld = 100
)

// logPhase decides what becomes of the records of one server.
//
// While the services start they look for each other and log every miss as
// a warning or an error ("Frontend is not healthy yet", "Not enough hosts
// to serve the request"); while they stop they log each other's
// disappearance the same way. Neither means a problem, and printed on every
// `hailurah dev` they would teach people to ignore Temporal's errors. So
// records are held back during start-up, thrown away once the server is
// ready and written if it fails to start; during stop they are dropped.
type logPhase struct {
	handler slog.Handler

	mu    sync.Mutex
	state phaseState
	since time.Time // start of holding
	held  []slog.Record
}

type phaseState int

const (
	holding phaseState = iota
	writing
	dropping
)

func (p *logPhase) handle(r slog.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.state {
	case dropping:
		return
	case holding:
		if time.Since(p.since) < holdLimit {
			if len(p.held) == maxHeld {
				p.held = slices.Delete(p.held, 0, 1)
			}
			p.held = append(p.held, r)
			return
		}
		p.flushLocked()
		p.state = writing
	}
	_ = p.handler.Handle(context.Background(), r)
}

func (p *logPhase) flushLocked() {
	for _, r := range p.held {
		_ = p.handler.Handle(context.Background(), r)
	}
	p.held = nil
}

// started discards what was held and writes from now on.
func (l *slogLogger) started() {
	l.phase.mu.Lock()
	defer l.phase.mu.Unlock()
	l.phase.held = nil
	if l.phase.state == holding {
		l.phase.state = writing
	}
}

// failed writes what was held, which may explain the failure, and drops
// what comes after, while the server is torn down.
func (l *slogLogger) failed() {
	l.phase.mu.Lock()
	defer l.phase.mu.Unlock()
	l.phase.flushLocked()
	l.phase.state = dropping
}

// quiet drops everything short of Fatal and Panic from now on.
func (l *slogLogger) quiet() {
	l.phase.mu.Lock()
	defer l.phase.mu.Unlock()
	l.phase.state = dropping
}
